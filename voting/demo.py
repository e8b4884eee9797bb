"""The fictional demo of `flask seed-demo`: a city, two counties, four townships.

All names are invented. Each domain package may add its part in `voting/<domain>/demo.py`
with a function `seed(context) -> list[str]`; `context` holds the bodies, the demo
password and the county meeting.
"""

from sqlalchemy import func, select

from voting.accounts.models import Body
from voting.accounts.services import create_or_update_user, top_body
from voting.extensions import db
from voting.integrity import audit
from voting.meetings.models import Deputy, Meeting

CITY = "江川市人大常委会"
COUNTIES = ["青山县人大常委会", "白水县人大常委会"]
TOWNSHIPS = {
    "青山县人大常委会": ["青山县东湖镇人大", "青山县西岭乡人大"],
    "白水县人大常委会": ["白水县南坪镇人大", "白水县北溪乡人大"],
}
MAIN_COUNTY = COUNTIES[0]
MAIN_MEETING = "青山县第十八届人民代表大会第六次会议"
DELEGATIONS = ["城关代表团", "东湖代表团", "西岭代表团", "南山代表团", "北河代表团",
               "石桥代表团", "柳溪代表团", "金坪代表团", "云台代表团", "机关代表团"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
TELLERS = (1, 2, 3)  # teller1..teller3: the tellers of the demo meetings with tellers (voting/tellers/demo.py)
GIVEN = ["建国", "秀英", "志强", "丽华", "海涛", "玉兰", "国平", "春梅", "文斌", "晓燕", "德明", "桂芳",
         "永红", "学军", "淑珍", "家豪", "慧敏", "振华", "雪梅", "立新"]


# Every demo login, as `flask seed-demo`, `make run` and the README list them.
DEMO_ACCOUNTS = ("admin", "secretariat", "teller", "teller1", "teller2", "teller3", "leader", "city-leader",
                 "city-secretariat", "baishui-secretariat", "donghu-secretariat")


def fictional_name(index: int) -> str:
    return SURNAMES[index % len(SURNAMES)] + GIVEN[(index // len(SURNAMES) + index * 7) % len(GIVEN)]


def _body(name: str, level: str, parent: Body | None, out: list[str]) -> Body:
    body = db.session.execute(select(Body).filter_by(name=name)).scalar_one_or_none()
    if body is None:
        body = Body(name=name, level=level, parent_id=parent.id if parent else None)
        db.session.add(body)
        db.session.flush()
        audit.record("body_created", actor="seed-demo", subject=f"body:{body.id}", body_id=body.id,
                     details={"name": name})
        out.append(f"机构: 已创建 {name}")
    return body


def _city(out: list[str]) -> Body:
    existing = db.session.execute(select(Body).filter_by(name=CITY)).scalar_one_or_none()
    if existing:
        return existing
    top = top_body()
    if top is not None and not top.children and top.name == "本级人大常委会":
        top.name, top.level = CITY, "city"  # the installation's top body becomes the demo city
        out.append(f"机构: 顶级机构更名为 {CITY}")
        return top
    return _body(CITY, "city", None, out)


def demo_meeting(body: Body, name: str, deputies: int, delegations: list[str], out: list[str], *,
                 year: int = 2026, names_from: int = 0) -> Meeting:
    """The meeting `name` of `body` with a roster of `deputies` fictional deputies, made
    once. `names_from` shifts the fictional names, so another meeting of the same body
    does not repeat the first one's deputies."""
    meeting = db.session.execute(select(Meeting).filter_by(body_id=body.id, name=name)).scalar_one_or_none()
    if meeting is None:
        meeting = Meeting(body_id=body.id, name=name, year=year)
        db.session.add(meeting)
        db.session.flush()
        out.append(f"会议: 已创建 {name}")
    have = db.session.scalar(select(func.count(Deputy.id)).filter_by(meeting_id=meeting.id))
    if have == 0:
        offset = body.id * 1000 + names_from
        db.session.add_all(
            Deputy(meeting_id=meeting.id, body_id=body.id, name=fictional_name(offset + i),
                   delegation=delegations[i % len(delegations)], number=f"{i + 1:03d}")
            for i in range(deputies)
        )
        db.session.flush()
        audit.record("roster_imported", actor="seed-demo", subject=f"meeting:{meeting.id}", body_id=body.id,
                     details={"created": deputies})
        out.append(f"代表: {name} 导入 {deputies} 名")
    return meeting


def seed_demo(password: str) -> list[str]:
    out: list[str] = []
    city = _city(out)
    counties = {name: _body(name, "county", city, out) for name in COUNTIES}
    townships = {
        name: _body(name, "township", counties[county], out)
        for county, names in TOWNSHIPS.items() for name in names
    }
    main = counties[MAIN_COUNTY]
    accounts = [
        ("admin", "admin", city, "系统管理员"),
        ("secretariat", "secretariat", main, "青山县大会秘书处"),
        ("teller", "teller", main, "青山县总监票人"),
        *[(f"teller{n}", "teller", main, f"青山县监票人{n}（监票人演示会议）") for n in TELLERS],
        ("leader", "leader", main, "青山县人大常委会领导"),
        ("city-leader", "leader", city, "江川市人大常委会领导"),
        ("city-secretariat", "secretariat", city, "江川市人大常委会办公室"),
        ("baishui-secretariat", "secretariat", counties[COUNTIES[1]], "白水县大会秘书处"),
        ("donghu-secretariat", "secretariat", townships["青山县东湖镇人大"], "东湖镇人大主席团"),
    ]
    from voting.accounts.models import User

    for username, role, body, display in accounts:
        if db.session.execute(select(User).filter_by(username=username)).scalar_one_or_none() is None:
            create_or_update_user(username, role, password, body=body, display_name=display, actor="seed-demo")
            out.append(f"账号: 已创建 {username}（{role}）")
    meeting = demo_meeting(main, MAIN_MEETING, 200, DELEGATIONS, out)
    demo_meeting(counties[COUNTIES[1]], "白水县第十八届人民代表大会第六次会议", 120, DELEGATIONS[:6], out)
    for name, body in townships.items():
        demo_meeting(body, name.replace("人大", "") + "第十八届人民代表大会第六次会议", 40, ["第一代表组", "第二代表组"], out)
    context = {"city": city, "counties": counties, "townships": townships, "main": main,
               "meeting": meeting, "password": password}
    from voting.appraisals import demo as appraisals
    from voting.ballots import demo as ballots
    from voting.collection import demo as collection
    from voting.tellers import demo as tellers
    from voting.tracking import demo as tracking

    for module in (collection, ballots, tracking, appraisals, tellers):  # each seeds on what the one before made
        out.extend(module.seed(context))
    db.session.commit()
    if not out:
        out.append("演示数据已存在，未作改动。")
    out.append(f"演示账号（密码 {password}）: {', '.join(DEMO_ACCOUNTS)}")
    return out
