import pytest


@pytest.fixture(autouse=True)
def _fresh_principal(app):
    """The `app` fixture keeps one app context pushed, so test-client requests share
    `flask.g`, where `current_principal()` caches the caller: forget it at the start
    of each request, as a real per-request context would."""
    from flask import g

    def forget():
        g.pop("principal", None)
        g.pop("bearer", None)

    funcs = app.before_request_funcs.setdefault(None, [])
    if forget not in funcs:
        funcs.insert(0, forget)
