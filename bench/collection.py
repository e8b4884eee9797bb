"""Collection at a city's scale (issue #21): the same pages timed with 300 and with
30,000 proposals from 720 liaison stations in one body.

Proposals are inserted directly (one INSERT per batch through the services' own index
upkeep, `voting.collection.services.index_proposals`), then each page is requested
in-process as a signed-in secretariat (Flask test client, no network), warm, and the
median of REPEATS requests reported. The generator writes titles and descriptions the
way residents do: a township, a place, a facility and what should be done with it,
so bigrams repeat across proposals as they do in a real pile.

    python -m bench --only collection [--db sqlite,postgres]
"""
import random
import secrets
import statistics
import tempfile
import time
from pathlib import Path

REPEATS = 5
SIZES = (300, 30000)
STATIONS = 720

TOWNSHIPS = ["东湖镇", "西山镇", "南桥街道", "北关街道", "城关镇", "青石乡", "白沙镇", "龙泉街道", "梅溪乡", "金坪镇",
             "柳河镇", "石门乡", "杨柳街道", "黄土镇", "凤凰街道", "桃源乡", "红星街道", "新华镇", "永安乡", "太平镇"]
PLACES = ["老旧小区", "幸福路", "中心小学", "卫生院", "菜市场", "汽车站", "文化广场", "敬老院", "农贸市场", "幼儿园",
          "人民公园", "滨江路", "工业园区", "社区服务中心", "村委会", "初级中学", "体育馆", "图书馆", "火车站", "养老院"]
THINGS = ["路灯", "停车位", "排水管网", "公共厕所", "健身器材", "电梯", "围墙", "人行道", "垃圾分类点", "充电桩",
          "监控探头", "休息座椅", "无障碍坡道", "食堂", "自来水管", "绿化带", "公交站台", "消防通道", "护栏", "屋顶"]
ACTIONS = ["改造", "增设", "维修", "更换", "新建", "扩建", "整治", "提升", "加装", "清理"]
REASONS = ["年久失修，群众出行不便。", "数量不足，高峰时段十分拥挤。", "存在安全隐患，老人孩子经过时容易摔倒。",
           "雨季经常积水，影响周边居民生活。", "夜间照明不足，晚上出行很不方便。", "设施陈旧，已经不能满足需要。"]


def proposal_text(rng: random.Random) -> tuple[str, str, str]:
    township, place, thing, action = (rng.choice(TOWNSHIPS), rng.choice(PLACES), rng.choice(THINGS),
                                      rng.choice(ACTIONS))
    title = f"{township}{place}{thing}{action}"[:60]
    description = (f"{township}{place}的{thing}{rng.choice(REASONS)}建议尽快{action}{thing}，"
                   f"{rng.choice(REASONS)}")
    return township, title, description


def _database(kind: str, workdir: Path) -> tuple[str, callable]:
    """A fresh database and how to drop it."""
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'collection.sqlite'}", lambda: None
    import sqlalchemy as sa

    base = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    schema = f"bench_{secrets.token_hex(5)}"
    engine = sa.create_engine(base)
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))

    def drop():
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()

    return f"{base}?options=-csearch_path%3D{schema}", drop


def _fill(size: int, body_id: int, rng: random.Random) -> list[int]:
    from sqlalchemy import insert, select

    from voting.collection import search
    from voting.collection.models import LiaisonStation, Proposal
    from voting.extensions import db

    db.session.execute(insert(LiaisonStation), [
        {"body_id": body_id, "code": f"ST{i:04d}", "name": f"{TOWNSHIPS[i % len(TOWNSHIPS)]}第{i}代表联络站",
         "township": TOWNSHIPS[i % len(TOWNSHIPS)]} for i in range(STATIONS)])
    stations = list(db.session.scalars(select(LiaisonStation.id).where(LiaisonStation.body_id == body_id)))
    categories = ["教育", "医疗卫生", "养老", "交通", "住房", "就业", "生态环境", "文化体育", "公共安全", "其他"]
    statuses = ["pending", "pending", "studying", "shortlisted"]
    batch = 2000
    for start in range(0, size, batch):
        rows = []
        for index in range(start, min(start + batch, size)):
            township, title, description = proposal_text(rng)
            rows.append({"body_id": body_id, "station_id": rng.choice(stations), "tracking_code": f"B{index:09d}",
                         "title": title, "description": description, "category": rng.choice(categories),
                         "township": township, "status": rng.choice(statuses), "source": "public"})
        ids = list(db.session.scalars(insert(Proposal).returning(Proposal.id), rows))
        search.index_proposals(ids)
        db.session.commit()
    return stations


def _settle() -> None:
    """What autovacuum does on a running server after a day's intake: statistics for the
    planner and the visibility map that lets PostgreSQL answer from an index alone.
    SQLite's planner gets its statistics the same way (ANALYZE)."""
    from sqlalchemy import text

    from voting.extensions import db

    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with db.engine.begin() as connection:
            connection.execute(text("ANALYZE"))


def _timed(client, url: str) -> float:
    client.get(url)  # warm
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times)


def run_size(kind: str, size: int, seed: int = 21) -> dict:
    from voting import create_app
    from voting.accounts.models import Body
    from voting.accounts.services import create_or_update_user
    from voting.collection.models import LiaisonStation, Proposal
    from voting.extensions import db

    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as workdir:
        url, drop = _database(kind, Path(workdir))
        try:
            app = create_app({"SQLALCHEMY_DATABASE_URI": url, "KEY_DIR": workdir, "SECRET_KEY": "bench",
                              "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                              "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
            with app.app_context():
                db.create_all()
                body = Body(name="某市人大常委会", level="city")
                db.session.add(body)
                db.session.commit()
                create_or_update_user("bench-secretariat", "secretariat", "bench-password-1", body=body)
                db.session.commit()
                started = time.perf_counter()
                _fill(size, body.id, rng)
                fill_s = time.perf_counter() - started
                _settle()
                sample = db.session.scalars(db.select(Proposal).where(Proposal.body_id == body.id)
                                            .order_by(Proposal.id.desc()).limit(1)).one()
                station_code = db.session.scalars(db.select(LiaisonStation.code).limit(1)).one()
                _, query, _ = proposal_text(rng)
                sample_id = sample.id
                db.session.remove()
            client = app.test_client()
            assert client.post("/login", data={"username": "bench-secretariat",
                                               "password": "bench-password-1"}).status_code == 302
            pages = {
                "screening": f"/collection/proposals/{sample_id}",
                "staff_hints": f"/collection/proposals/similar?q={query[:8]}",
                "public_hints": f"/collection/intake/{station_code}/similar?q={query[:8]}",
                "list": "/collection/proposals",
                "list_search": f"/collection/proposals?q={query[2:5]}",
                "stats": "/collection/stats",
                "candidates": "/collection/candidates",
                "stations": "/collection/stations",
                "candidates_xlsx": "/collection/candidates/export.xlsx",
            }
            public = app.test_client()
            timings = {name: _timed(public if name == "public_hints" else client, url)
                       for name, url in pages.items()}
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
            return {"db": kind, "proposals": size, "stations": STATIONS, "fill_s": round(fill_s, 1),
                    "median_ms": {name: round(value, 1) for name, value in timings.items()}}
        finally:
            drop()


def collection_run(kind: str) -> dict:
    small, large = (run_size(kind, size) for size in SIZES)
    ratio = {name: round(large["median_ms"][name] / max(small["median_ms"][name], 0.01), 2)
             for name in small["median_ms"]}
    return {"scenario": "collection", "db": kind, "small": small, "large": large, "ratio": ratio}


if __name__ == "__main__":
    import json
    import sys

    for kind in (sys.argv[1:] or ["sqlite"]):
        print(json.dumps(collection_run(kind), ensure_ascii=False, indent=1))
