# 民生实事票决与测评系统 — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app voting
WORKERS ?= 4
PYTEST_ARGS ?=

.PHONY: run serve test test-sqlite test-postgres bench setup db clean-db hall-cert nginx-conf

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@$(PY) -c "import pysodium" 2>/dev/null || { echo "缺少 libsodium（监票人密钥与加密选票所需）：请先运行 apt-get install libsodium23 / libsodium is missing: apt-get install libsodium23"; exit 1; }
	touch $@

setup: $(VENV)/.installed

db: setup
	$(FLASK) init-db
	$(FLASK) seed-demo --if-empty

run: db
	@echo "打开 http://127.0.0.1:5000 ；演示账号 admin / secretariat / teller / teller1 / teller2 / teller3 / leader / city-leader / city-secretariat / baishui-secretariat / donghu-secretariat，密码 demo-password"
	$(FLASK) run --host 127.0.0.1 --port 5000

serve: setup
	$(FLASK) init-db
	$(VENV)/bin/gunicorn --config gunicorn.conf.py --workers $(WORKERS) --bind 127.0.0.1:8000 wsgi:app

test: setup test-sqlite test-postgres

test-sqlite: setup
	VOTING_TEST_DB=sqlite $(PY) -m pytest $(PYTEST_ARGS)

test-postgres: setup
	VOTING_TEST_DB=postgres $(PY) -m pytest $(PYTEST_ARGS)

bench: setup
	$(PY) -m bench

# The hall LAN over HTTPS (README, 会场网络与 HTTPS): a certificate and the nginx site file.
HALL_NAME ?= localhost
HALL_IP ?= 127.0.0.1
hall-cert: setup
	$(PY) -m deploy.hall_cert --out instance/tls --name $(HALL_NAME) --ip $(HALL_IP)

nginx-conf: setup
	$(PY) -m deploy.nginx render --upstream 127.0.0.1:8000 --cert instance/tls/hall.pem --key instance/tls/hall.key --server-name "$(HALL_NAME) $(HALL_IP)" --out instance/nginx-site.conf

clean-db:
	rm -f instance/voting.sqlite instance/voting.sqlite-wal instance/voting.sqlite-shm instance/voting.sqlite-gate instance/anchors.log
