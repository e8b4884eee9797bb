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


def test_the_similarity_index_is_filled_for_proposals_stored_before_it(base_config, tmp_path):
    """Proposals written before revision e2b8c4d61a07 are found by the index after the upgrade."""
    from voting.collection import search, services
    from voting.collection.models import Proposal

    app = create_app({**base_config, "SQLALCHEMY_DATABASE_URI": _fresh_url(base_config, tmp_path)})
    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory, revision="d7f3b2a91c55")
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO body (id, name, level, created_at) VALUES (1, '测试县', 'county', "
                                 "CURRENT_TIMESTAMP)"))
            for number, title in enumerate(["城东新建一所公办幼儿园", "城东幼儿园学位不足", "修缮北关路路灯"], start=1):
                conn.execute(sa.text(
                    "INSERT INTO proposal (id, body_id, tracking_code, title, description, category, township, "
                    "location, contact, proposer, status, reply, decline_reason, source, created_at, updated_at) "
                    "VALUES (:id, 1, :code, :title, '孩子入园难。', '教育', '', '', '', '', 'pending', '', '', "
                    "'public', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"), {"id": number, "code": f"T{number:07d}",
                                                                         "title": title})
        upgrade(directory=directory)
        assert sorted(search.candidate_ids(1, "城东幼儿园")) == [1, 2]
        assert services.similar_titles(1, "城东公办幼儿园") == ["城东新建一所公办幼儿园", "城东幼儿园学位不足"]
        scored = services.similar_proposals(db.session.get(Proposal, 1))
        assert [other.id for _, other in scored] == [2, 3]  # 3 shares the description
        db.session.remove()
        downgrade(directory=directory, revision="base")
        db.engine.dispose()


def test_item_references_become_candidate_foreign_keys(base_config, tmp_path):
    """Revision f3c9a1d2e4b6 fills ballot_item.candidate_id from "candidate:<id>" of the same body only."""
    app = create_app({**base_config, "SQLALCHEMY_DATABASE_URI": _fresh_url(base_config, tmp_path)})
    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory, revision="e2b8c4d61a07")
        now = "CURRENT_TIMESTAMP"
        with db.engine.begin() as conn:
            for body_id in (1, 2):
                conn.execute(sa.text(f"INSERT INTO body (id, name, level, created_at) VALUES ({body_id}, "
                                     f"'县{body_id}', 'county', {now})"))
            for cid, body_id in ((7, 1), (8, 2)):
                conn.execute(sa.text(
                    "INSERT INTO candidate (id, body_id, year, title, description, budget, department, state, "
                    f"created_at) VALUES ({cid}, {body_id}, 2026, '项目{cid}', '', 1, '县教育局', 'balloted', {now})"))
            conn.execute(sa.text(f"INSERT INTO meeting (id, body_id, name, year, quorum_fraction, quorum_inclusive, "
                                 f"live_counts, created_at) VALUES (1, 1, '会议', 2026, '2/3', true, false, {now})"))
            conn.execute(sa.text(
                "INSERT INTO ballot (id, meeting_id, body_id, kind, title, seats, secret, options_json, rule_json, "
                f"state, round, created_at) VALUES (1, 1, 1, 'selection', '票决', 1, true, '[]', '{{}}', 'draft', 1, "
                f"{now})"))
            for iid, ref in ((1, "candidate:7"), (2, "candidate:8"), (3, "candidate:x"), (4, None)):
                conn.execute(sa.text("INSERT INTO ballot_item (id, ballot_id, position, title, description, "
                                     "reference) VALUES (:id, 1, :id, '项目', '', :ref)"), {"id": iid, "ref": ref})
        upgrade(directory=directory)
        with db.engine.connect() as conn:
            linked = dict(conn.execute(sa.text("SELECT id, candidate_id FROM ballot_item ORDER BY id")).all())
        assert linked == {1: 7, 2: None, 3: None, 4: None}  # candidate 8 belongs to another body
        downgrade(directory=directory, revision="base")
        db.engine.dispose()
