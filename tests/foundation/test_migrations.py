"""Alembic migrations build the whole schema on this run's database, and go back down."""
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from voting import create_app
from voting.extensions import db


def _fresh_url(base_config, tmp_path):
    url = base_config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'migrations.sqlite'}"
    import secrets

    schema = f"m_{secrets.token_hex(5)}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return url.split("?")[0] + f"?options=-csearch_path%3D{schema}"


def test_upgrade_matches_models_and_downgrade_empties(base_config, tmp_path):
    app = create_app({**base_config, "SQLALCHEMY_DATABASE_URI": _fresh_url(base_config, tmp_path)})
    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory)
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
            tables = set(sa.inspect(conn).get_table_names())
        assert diff == [], f"models and migrations differ: {diff}"
        assert {table.name for table in db.metadata.sorted_tables} <= tables
        downgrade(directory=directory, revision="base")
        with db.engine.connect() as conn:
            left = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
        assert left == set()
        upgrade(directory=directory)  # and up again from base
        db.engine.dispose()
