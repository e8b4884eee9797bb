"""The network in front of the app: a reverse proxy and TLS on the hall LAN.

TRUSTED_PROXIES (an integer, default 0) is the number of reverse proxies between the
tablets and the app (1 for the shipped deploy/nginx.conf). With it, werkzeug's ProxyFix
takes the client's address and scheme from the last N entries of X-Forwarded-For and
X-Forwarded-Proto, so per-address limits, the card-login counter and the audit see the
tablet's address instead of the proxy's. Without it (the default) both headers are
ignored: anyone can send them, and a forged X-Forwarded-For must not move a limit.

SERVED_OVER_TLS (default off) says the app is reached over HTTPS (directly or through
the proxy): session and remember cookies are then sent only over TLS, and every
response carries Strict-Transport-Security."""
from flask import Flask, Response
from werkzeug.middleware.proxy_fix import ProxyFix

HSTS = "max-age=31536000"  # one year; no includeSubDomains: a hall LAN name may share a domain


def trusted_proxies(app: Flask) -> int:
    raw = app.config.get("TRUSTED_PROXIES") or 0
    try:
        count = int(raw)
    except (TypeError, ValueError):
        raise ValueError(f"TRUSTED_PROXIES must be a whole number of proxies, not {raw!r}") from None
    if not 0 <= count <= 5:
        raise ValueError(f"TRUSTED_PROXIES must be between 0 and 5, not {count}")
    return count


def install(app: Flask) -> None:
    """Wrap the WSGI app for the configured proxies; turn on the TLS-only settings."""
    count = trusted_proxies(app)
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=0, x_port=0, x_prefix=0)
    if over_tls(app):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
        app.after_request(_strict_transport)


def over_tls(app: Flask) -> bool:
    value = app.config.get("SERVED_OVER_TLS")
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def _strict_transport(response: Response) -> Response:
    response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response
