"""Render deploy/nginx.conf, and run Debian's nginx with it as an ordinary process.

`python -m deploy.nginx render --upstream 127.0.0.1:8000 --cert ... --key ...` writes the
site file for /etc/nginx/sites-enabled (`make nginx-conf`). `Nginx` starts a private nginx
(its own prefix, pid, logs and temp folders, no root needed) in front of an app: the tests
and `make bench` use it as they use PostgreSQL, and stop it at the end.
"""
import argparse
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SITE_TEMPLATE = Path(__file__).resolve().parent / "nginx.conf"
NGINX_CANDIDATES = ("/usr/sbin/nginx", "/usr/bin/nginx")
MIME_TYPES = "/etc/nginx/mime.types"


def nginx_binary() -> str | None:
    found = shutil.which("nginx")
    if found:
        return found
    return next((path for path in NGINX_CANDIDATES if os.access(path, os.X_OK)), None)


def render_site(upstream: str, cert: str, key: str, server_name: str = "_",
                https_port: int = 443, http_port: int = 80) -> str:
    values = {"@UPSTREAM@": upstream, "@CERT@": str(cert), "@KEY@": str(key), "@SERVER_NAME@": server_name,
              "@HTTPS_PORT@": str(https_port), "@HTTP_PORT@": str(http_port)}
    text = SITE_TEMPLATE.read_text(encoding="utf-8")
    for marker, value in values.items():
        text = text.replace(marker, value)
    if "@" in "".join(line.split("#")[0] for line in text.splitlines()):
        raise ValueError("deploy/nginx.conf has a marker this renderer does not know")
    return text


def _main_conf(prefix: Path, site: Path) -> str:
    user = "user root;\n" if os.geteuid() == 0 else ""  # as root, workers would drop to nobody
    temp = "\n".join(f"    {kind}_temp_path {prefix / kind};" for kind in
                     ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    mime = f"    include {MIME_TYPES};\n" if os.path.exists(MIME_TYPES) else ""
    return (f"{user}worker_processes 1;\npid {prefix / 'nginx.pid'};\nerror_log {prefix / 'error.log'} warn;\n"
            f"worker_rlimit_nofile 8192;\nevents {{ worker_connections 4096; }}\n"
            f"http {{\n{mime}    default_type application/octet-stream;\n{temp}\n"
            f"    include {site};\n}}\n")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PortTaken(RuntimeError):
    pass


@dataclass
class Nginx:
    """A private nginx in front of `upstream` with TLS; `url` is its HTTPS address."""
    upstream: str
    cert: Path
    key: Path
    server_name: str = "localhost 127.0.0.1"

    def __post_init__(self):
        self.binary = nginx_binary()
        if self.binary is None:
            raise FileNotFoundError("nginx is not installed (Debian package nginx)")
        self.prefix = Path(tempfile.mkdtemp(prefix="voting-nginx-"))
        self.https_port, self.http_port = free_port(), free_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def write(self) -> Path:
        site = self.prefix / "site.conf"
        site.write_text(render_site(self.upstream, self.cert, self.key, self.server_name,
                                    self.https_port, self.http_port), encoding="utf-8")
        main = self.prefix / "nginx.conf"
        main.write_text(_main_conf(self.prefix, site), encoding="utf-8")
        return main

    def test_config(self) -> subprocess.CompletedProcess:
        main = self.write()
        return subprocess.run([self.binary, "-t", "-p", str(self.prefix), "-c", str(main)],
                              capture_output=True, text=True)

    def start(self, ready_within: float = 15.0, attempts: int = 3) -> "Nginx":
        """Start nginx; a port taken between free_port() and nginx's bind (another
        process's ephemeral port) is answered with two new ports, `attempts` times."""
        for attempt in range(attempts):
            try:
                return self._start(ready_within)
            except PortTaken:
                if attempt == attempts - 1:
                    raise
                self.https_port, self.http_port = free_port(), free_port()
        raise AssertionError("unreachable")

    def _start(self, ready_within: float) -> "Nginx":
        main = self.write()
        self.process = subprocess.Popen([self.binary, "-p", str(self.prefix), "-c", str(main), "-g", "daemon off;"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + ready_within
        while time.monotonic() < deadline:  # wait for the listening socket (the readiness event)
            if self.process.poll() is not None:
                error = self.process.stderr.read().decode(errors="replace")
                if "Address already in use" in error:
                    raise PortTaken(error)
                raise RuntimeError(f"nginx did not start: {error}")
            try:
                socket.create_connection(("127.0.0.1", self.https_port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("nginx did not listen in time")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.prefix, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="生成 nginx 站点配置（deploy/nginx.conf）")
    sub = parser.add_subparsers(dest="command", required=True)
    render = sub.add_parser("render", help="写出站点配置")
    render.add_argument("--upstream", default="127.0.0.1:8000")
    render.add_argument("--cert", default="instance/tls/hall.pem")
    render.add_argument("--key", default="instance/tls/hall.key")
    render.add_argument("--server-name", default="_")
    render.add_argument("--https-port", type=int, default=443)
    render.add_argument("--http-port", type=int, default=80)
    render.add_argument("--out", default="instance/nginx-site.conf")
    args = parser.parse_args(argv)
    text = render_site(args.upstream, os.path.abspath(args.cert), os.path.abspath(args.key), args.server_name,
                       args.https_port, args.http_port)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text, encoding="utf-8")
    print(f"已写出 {args.out}：复制到 /etc/nginx/sites-enabled/ 后执行 nginx -t && systemctl reload nginx")


if __name__ == "__main__":
    main()
