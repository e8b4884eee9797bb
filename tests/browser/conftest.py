"""Browser tests: Python Playwright driving Debian's Chromium against the app served
from a background thread (werkzeug, threaded) on 127.0.0.1 and the test database.
Screenshots of every open page go to tests/browser/screenshots/ when a test fails."""
import re
import threading
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@contextmanager
def serving(app):
    """`app` on a free port of 127.0.0.1 (werkzeug, threaded) while the block runs."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="browser-test-server", daemon=True)
    thread.start()
    try:
        yield SimpleNamespace(app=app, url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def live_server(make_app):
    """The app on a free port, CSRF on as in production."""
    with serving(make_app(WTF_CSRF_ENABLED=True)) as served:
        yield served


@pytest.fixture
def contexts(browser, live_server, request):
    """new_context(**options) opens a browser context that records every request it
    makes; at the end the test may check `foreign_requests()`."""
    opened = []
    requests = []

    def new_context(**options):
        options.setdefault("locale", "zh-CN")
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(15000)
        context.on("request", lambda r: requests.append(r.url))
        opened.append(context)
        return context

    def foreign_requests():
        own = re.compile(r"^(?:" + re.escape(live_server.url) + r"/|data:|blob:|about:)")
        return [url for url in requests if not own.match(url)]

    new_context.foreign_requests = foreign_requests
    new_context.requests = requests
    yield new_context
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        for c, context in enumerate(opened):
            for p, page in enumerate(context.pages):
                try:
                    page.screenshot(path=str(SCREENSHOTS / f"{name}-{c}-{p}.png"), full_page=True)
                except Exception:  # noqa: BLE001  (a closed page: nothing to keep)
                    pass
    for context in opened:
        context.close()
