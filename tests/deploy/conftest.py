"""A real reverse proxy for the hall-network tests: Debian's nginx, started by the tests
as PostgreSQL is, with the shipped deploy/nginx.conf and a certificate from
deploy/hall_cert.py, in front of the app served by werkzeug (threaded) from a thread."""
import os
import ssl
import threading
from types import SimpleNamespace

import pytest

from deploy import hall_cert
from deploy.nginx import Nginx, nginx_binary


def require_nginx() -> None:
    if nginx_binary() is None:
        if os.environ.get("VOTING_REQUIRE_NGINX") == "1":  # set by .ci/run: CI must not skip
            pytest.fail("nginx is required but not installed (Debian package nginx)")
        pytest.skip("nginx is not installed (.ci/run installs it)")


@pytest.fixture(scope="session")
def hall_tls(tmp_path_factory):
    return hall_cert.make(tmp_path_factory.mktemp("tls"), ["localhost"], ["127.0.0.1"])


@pytest.fixture
def tls_context(hall_tls):
    """A client that trusts the hall CA only, as a tablet with it installed does."""
    context = ssl.create_default_context(cafile=str(hall_tls.ca))
    return context


@pytest.fixture
def hall_front(make_app, hall_tls):
    """The app behind nginx over TLS, configured as deploy/nginx.conf says."""
    require_nginx()
    from werkzeug.serving import make_server

    app = make_app(WTF_CSRF_ENABLED=True, TRUSTED_PROXIES=1, SERVED_OVER_TLS=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="hall-front-app", daemon=True)
    thread.start()
    proxy = Nginx(f"127.0.0.1:{server.server_port}", hall_tls.cert, hall_tls.key)
    try:
        proxy.start()
        yield SimpleNamespace(app=app, proxy=proxy, url=proxy.url, cert=hall_tls)
    finally:
        proxy.stop()
        server.shutdown()
        thread.join(timeout=10)
