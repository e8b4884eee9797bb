"""民生实事票决与测评系统: the Flask application factory."""
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from voting.config import DefaultConfig, from_environment

if TYPE_CHECKING:  # `import voting.rules` must not load Flask, so Flask loads inside create_app
    from flask import Flask

SECRET_KEY_FILE = "secret_key"


def create_app(test_config: dict | None = None) -> "Flask":
    """Build the app. Settings come from DefaultConfig, then instance/config.py,
    then the environment, then `test_config`. The factory has no side effects: it
    creates no tables, no files and opens no connections."""
    from flask import Flask

    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(Path(__file__).resolve().parent.parent / "templates"),
        static_folder=str(Path(__file__).resolve().parent.parent / "static"),
    )
    app.config.from_object(DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(from_environment(os.environ))
    if test_config:
        app.config.update(test_config)
    _settle_defaults(app)

    from voting import extensions, database

    extensions.db.init_app(app)
    extensions.login_manager.init_app(app)
    extensions.csrf.init_app(app)
    extensions.migrate.init_app(
        app, extensions.db, directory=str(Path(__file__).resolve().parent / "migrations")
    )
    extensions.limiter.init_app(app)
    with app.app_context():
        database.configure_engine(extensions.db.engine)

    from voting import inputlimits, models  # noqa: F401  (models registers every model with the metadata)
    from voting.web import register_web

    inputlimits.install(app)  # bounded <int:> ids and strict JSON bodies, before any route exists
    from voting.cli import register_cli

    register_web(app)
    register_cli(app)
    from voting import admission

    admission.install(app)  # a few requests run at once, the rest wait asleep (voting/admission.py)
    from voting import proxy

    proxy.install(app)  # TRUSTED_PROXIES and SERVED_OVER_TLS (voting/proxy.py)
    import logging

    from voting import logredact

    logredact.install(app.logger, logging.getLogger("werkzeug"))  # no card secret in a log line
    return app


def _settle_defaults(app: "Flask") -> None:
    instance = Path(app.instance_path)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'voting.sqlite'}"
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgres://"):
        uri = "postgresql://" + uri[len("postgres://"):]
    if uri.startswith("postgresql://"):
        uri = "postgresql+psycopg://" + uri[len("postgresql://"):]
    app.config["SQLALCHEMY_DATABASE_URI"] = uri
    if not app.config.get("KEY_DIR"):
        app.config["KEY_DIR"] = str(instance)
    if app.config.get("CAST_CHECK") not in ("inline", "queued"):
        raise ValueError(f"CAST_CHECK must be \"inline\" or \"queued\", not {app.config.get('CAST_CHECK')!r}")
    if not app.config.get("SECRET_KEY"):
        key_file = instance / SECRET_KEY_FILE
        if key_file.exists():
            app.config["SECRET_KEY"] = key_file.read_text().strip()
        else:
            # `flask init-db` writes the permanent key; until then sessions last one process.
            app.config["SECRET_KEY"] = secrets.token_urlsafe(32)
            app.config["SECRET_KEY_EPHEMERAL"] = True


def write_secret_key(app: "Flask") -> bool:
    """Create instance/secret_key once. Returns True when it was created now."""
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    key_file = instance / SECRET_KEY_FILE
    if key_file.exists():
        return False
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(app.config["SECRET_KEY"] if app.config.get("SECRET_KEY_EPHEMERAL") else secrets.token_urlsafe(32))
    return True
