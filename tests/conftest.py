"""Test fixtures. The whole suite runs once per database:

    VOTING_TEST_DB=sqlite   (default) a fresh SQLite file per session
    VOTING_TEST_DB=postgres the server of VOTING_TEST_POSTGRES_URL or 127.0.0.1:5432/test,
                            in a schema of its own so that parallel runs never meet.

With VOTING_REQUIRE_POSTGRES=1 a missing server fails the run instead of skipping it.
"""
import os
import secrets
from pathlib import Path

import pytest

from tests import factories

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CHROMIUM = Path("/usr/bin/chromium")
SHARED_DIR = Path(os.environ.get("VOTING_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))


def backend() -> str:
    return os.environ.get("VOTING_TEST_DB", "sqlite")


def _postgres_base_url() -> str:
    url = os.environ.get("VOTING_TEST_POSTGRES_URL", DEFAULT_PG)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _postgres_schema_url(base: str, schema: str) -> str:
    joiner = "&" if "?" in base else "?"
    return f"{base}{joiner}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if backend() != "postgres":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
        return
    import sqlalchemy as sa

    base = _postgres_base_url()
    engine = sa.create_engine(base)
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as error:
        engine.dispose()
        if os.environ.get("VOTING_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required but not reachable: {error}")
        pytest.skip(f"PostgreSQL not reachable: {error}")
    schema = f"t_{secrets.token_hex(6)}"
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _postgres_schema_url(base, schema)
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture(scope="session")
def key_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("keys")


@pytest.fixture(scope="session")
def base_config(database_url, key_dir, tmp_path_factory):
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "KEY_DIR": str(key_dir),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads")),
    }


@pytest.fixture(scope="session")
def _schema(base_config):
    from voting import create_app
    from voting.extensions import db

    app = create_app(base_config)
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return True


def _clean_tables(db):
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def make_app(base_config, _schema):
    """Build an app with extra settings; tables are emptied before each test."""
    from voting import create_app
    from voting.extensions import db

    built = []

    def build(**overrides):
        app = create_app({**base_config, **overrides})
        built.append(app)
        return app

    first = build()
    with first.app_context():
        _clean_tables(db)
    # anchors.log belongs to its database (voting/integrity/anchors.py): emptied with it
    (Path(first.config["KEY_DIR"]) / "anchors.log").unlink(missing_ok=True)
    yield build
    for app in built:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    from voting.extensions import db

    application = make_app()
    with application.app_context():
        yield application
        db.session.remove()


@pytest.fixture
def fresh_request_globals(app):
    """The `app` fixture keeps one app context pushed for the whole test, so every
    test-client request shares its `flask.g`, where current_principal() and flask_login
    cache the caller. Empty it at the start of each request, as a real per-request
    context would: for tests with several clients, or one client signing in twice."""
    from flask import g

    def forget():
        for name in list(vars(g)):
            delattr(g, name)

    app.before_request_funcs.setdefault(None, []).insert(0, forget)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def body(app):
    return factories.gen_body()


@pytest.fixture
def staff(app, body):
    """One account per staff role in `body`; password factories.PASSWORD."""
    return {role: factories.gen_user(role, body) for role in factories.STAFF_ROLES}


@pytest.fixture
def secretariat_client(app, staff):
    """A test client signed in as the secretariat of `body`."""
    return factories.login(app.test_client(), staff["secretariat"])


@pytest.fixture
def api(client):
    return factories.ApiClient(client)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (browser tests and the hall-network tests)."""
    if not CHROMIUM.exists():
        if os.environ.get("VOTING_REQUIRE_BROWSER") == "1":  # set by .ci/run: CI must not skip
            pytest.fail("Chromium is required but not installed at /usr/bin/chromium")
        pytest.skip("Chromium is not installed at /usr/bin/chromium (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        yield chromium
        chromium.close()
