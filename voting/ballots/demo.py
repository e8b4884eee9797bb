"""Demo sitting: the main county's selection ballot, voted and published.

The main meeting's deputies (all fictional) check in, the year's candidate list goes on
a secret selection ballot (through the collection domain when it is there, else a
fixed fictional list), and the present deputies vote through the same services as
tablets do, with a fixed pseudo-random pattern so every run gives the same result.
The ballot is then closed (counted, signed) and published, so the supervision demo can
track the selected projects and `flask verify` has a real ballot to recount.
Idempotent: a meeting that already has a ballot is left alone.
"""
import random
import secrets

from sqlalchemy import select

from voting.ballots import services
from voting.ballots.models import Ballot
from voting.extensions import db
from voting.meetings.models import Deputy
from voting.meetings.services import check_in

ACTOR = "seed-demo"
YEAR = 2026
SEATS = 10
PRESENT_SHARE = (9, 10)  # 180 of 200 deputies check in
TITLE = f"{YEAR}年民生实事项目票决"
FALLBACK_ITEMS = [
    ("新建城东公办幼儿园", "新增学位 360 个"), ("城乡公交一体化（西岭线）", "开通城区至西岭乡公交线路"),
    ("老旧小区加装电梯补贴", "补贴 40 部电梯"), ("社区居家养老服务中心", "建设 10 个社区居家养老服务中心"),
    ("乡镇卫生院夜间门诊", "5 个中心卫生院开设夜间门诊"), ("农村供水管网改造", "改造两镇供水管网"),
    ("中小学校园食堂改造", "改造 12 所学校食堂"), ("城区停车泊位扩容", "新增公共停车泊位 1500 个"),
    ("农贸市场提档升级", "改造 3 个农贸市场"), ("河道综合整治", "整治青山河城区段 4 公里"),
    ("智慧健康驿站", "建设 20 个智慧健康驿站"), ("公共厕所新建改建", "新建改建公厕 30 座"),
]


def _ballot_from_candidates(context, meeting) -> Ballot | None:
    try:
        from voting.collection.services import candidates_of, candidates_to_ballot
    except ImportError:
        return None
    drafts = [c for c in candidates_of(context["main"].id, YEAR) if c.state == "draft"]
    if len(drafts) <= SEATS:
        return None
    return candidates_to_ballot(context["main"].id, YEAR, meeting_id=meeting.id, title=TITLE, seats=SEATS,
                                actor=ACTOR)


def _choices(rng: random.Random, item_keys: list[str], appeal: list[float]) -> dict:
    """Up to SEATS yes marks, chosen with the items' appeal; a few no, the rest unmarked."""
    liked = set()
    for key, weight in zip(item_keys, appeal):
        if rng.random() < weight:
            liked.add(key)
    liked = set(sorted(liked, key=lambda k: -appeal[item_keys.index(k)])[:SEATS])
    choices = {key: "yes" for key in liked}
    for key in item_keys:
        if key not in liked and rng.random() < 0.5:
            choices[key] = "no"
    return choices


def seed(context) -> list[str]:
    meeting = context["meeting"]
    if db.session.scalar(select(Ballot.id).where(Ballot.meeting_id == meeting.id).limit(1)) is not None:
        return []
    deputies = list(db.session.scalars(select(Deputy).where(Deputy.meeting_id == meeting.id).order_by(Deputy.id)))
    present = deputies[: len(deputies) * PRESENT_SHARE[0] // PRESENT_SHARE[1]]
    for deputy in present:
        check_in(meeting, deputy, actor=ACTOR, by_staff=True)
    ballot = _ballot_from_candidates(context, meeting) or services.create_ballot(
        meeting, kind="selection", title=TITLE, seats=SEATS, actor=ACTOR,
        items=[{"title": title, "description": description} for title, description in FALLBACK_ITEMS])
    services.open_ballot(ballot, actor=ACTOR)
    item_keys = [str(item.id) for item in ballot.items]
    rng = random.Random(YEAR)
    # Appeal falls from 0.95 to 0.35 down the list, so the ranking is clear and has no tie.
    appeal = [0.95 - 0.6 * i / max(len(item_keys) - 1, 1) for i in range(len(item_keys))]
    for deputy in present:
        # The idempotency key must be unguessable like a tablet's: one derived from the
        # deputy and a fixed seed would let anyone with the database and the installation
        # key find the deputy's receipt (idempotency records are keyed by it). Only the
        # choices come from the seeded generator.
        choices = _choices(rng, item_keys, appeal)
        rng.random()  # the draw the key used to take, so the seeded choices stay what they were
        services.cast_vote(ballot, deputy, choices, f"demo-{secrets.token_hex(16)}")
    sheet = services.close_ballot(ballot, actor=ACTOR)
    services.publish_ballot(ballot, actor=ACTOR)
    selected = sum(1 for item in sheet["items"] if item["outcome"] == "selected")
    return [f"表决: {meeting.name} 签到 {len(present)} 人；「{ballot.title}」{len(item_keys)} 个候选项目，"
            f"收回 {sheet['cast']} 票，确定 {selected} 项，已公布"]
