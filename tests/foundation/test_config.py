"""Settings precedence: defaults < instance/config.py < environment < test_config."""
from voting import create_app


def _app(tmp_path, monkeypatch, instance_text=None, env=None, test_config=None):
    instance = tmp_path / "instance"
    instance.mkdir(exist_ok=True)
    if instance_text is not None:
        (instance / "config.py").write_text(instance_text)
    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(instance))
    for key in ("DATABASE_URL", "SECRET_KEY", "PUBLIC_BASE_URL"):
        monkeypatch.delenv(key, raising=False)
    for key, value in (env or {}).items():
        monkeypatch.setenv(key, value)
    return create_app(test_config)


def test_defaults_use_sqlite_in_instance(tmp_path, monkeypatch):
    app = _app(tmp_path, monkeypatch)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'instance' / 'voting.sqlite'}"
    assert app.config["SECRET_KEY_EPHEMERAL"] is True


def test_instance_file_overrides_defaults(tmp_path, monkeypatch):
    app = _app(tmp_path, monkeypatch, instance_text="PUBLIC_BASE_URL = 'http://hall.local'\nSECRET_KEY = 'from-file'\n")
    assert app.config["PUBLIC_BASE_URL"] == "http://hall.local"
    assert app.config["SECRET_KEY"] == "from-file"


def test_environment_overrides_instance_file(tmp_path, monkeypatch):
    app = _app(tmp_path, monkeypatch, instance_text="SECRET_KEY = 'from-file'\n",
               env={"SECRET_KEY": "from-env", "DATABASE_URL": "postgresql://u@h/db"})
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


def test_test_config_overrides_everything(tmp_path, monkeypatch):
    app = _app(tmp_path, monkeypatch, instance_text="SECRET_KEY = 'from-file'\n",
               env={"SECRET_KEY": "from-env"}, test_config={"SECRET_KEY": "from-test"})
    assert app.config["SECRET_KEY"] == "from-test"


def test_secret_key_file_is_read(tmp_path, monkeypatch):
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "secret_key").write_text("persisted\n")
    app = _app(tmp_path, monkeypatch)
    assert app.config["SECRET_KEY"] == "persisted"


def test_factory_creates_no_files(tmp_path, monkeypatch):
    _app(tmp_path, monkeypatch)
    assert list((tmp_path / "instance").iterdir()) == []


def test_healthz_needs_no_database(tmp_path, monkeypatch):
    app = _app(tmp_path, monkeypatch, test_config={"SQLALCHEMY_DATABASE_URI": "postgresql://nobody@127.0.0.1:1/none"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"ok": True}
