"""A city, two counties and their townships on one deployment: isolation and roll-ups."""
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.factories import PASSWORD, assert_refused, gen_body, gen_user
from tests.ballots.sitting import Sitting
from voting.extensions import db
from voting.tracking.models import LivelihoodProject


@pytest.fixture
def city(app):
    city = gen_body("江川市人大常委会（测试）", level="city")
    counties = [gen_body(f"测试{n}县人大常委会", parent=city) for n in ("甲", "乙")]
    township = gen_body("测试甲县某镇人大", level="township", parent=counties[0])
    staff = [{role: gen_user(role, county) for role in ("secretariat", "leader", "teller")} for county in counties]
    return {
        "city": city, "counties": counties, "township": township, "staff": staff,
        "city_leader": gen_user("leader", city), "city_secretariat": gen_user("secretariat", city),
        "township_staff": {"secretariat": gen_user("secretariat", township)},
    }


def _published_selection(api, staff, name, yes_pattern):
    """A sitting of 6 deputies; each item i gets yes from the deputies listed in yes_pattern[i]."""
    sitting = Sitting(api, staff, size=6, name=name)
    sitting.check_in(range(6))
    ballot = sitting.ballot(items=len(yes_pattern), seats=2)
    sitting.act(ballot["id"], "open")
    items = [item["id"] for item in ballot["items"]]
    for deputy in range(6):
        choices = {item: ("yes" if deputy in yes_pattern[i] else "no") for i, item in enumerate(items)}
        assert sitting.vote(deputy, ballot["id"], choices).status_code == 201
    sitting.act(ballot["id"], "close")
    sitting.act(ballot["id"], "publish")
    return sitting, ballot


def _selected(api, sitting, ballot):
    sheet = sitting.tally(ballot["id"]).get_json()
    return [item for item in sheet["items"] if item["outcome"] == "selected"]


def test_rollup_equals_sum_of_children(api, city, client):
    # At most two yes per deputy (two seats); items with more than half of 6 pass.
    first = _published_selection(api, city["staff"][0], "甲县会议", [range(5), [0, 1, 2, 3, 5], [4]])
    second = _published_selection(api, city["staff"][1], "乙县会议", [range(4), range(6), [4, 5]])
    selected = [_selected(api, *first), _selected(api, *second)]
    assert [len(s) for s in selected] == [2, 2]
    # Give the tracked projects budgets, as staff would.
    budgets = {}
    for index, project in enumerate(db.session.query(LivelihoodProject).order_by(LivelihoodProject.id)):
        project.budget = Decimal(100 + index * 25)
        budgets.setdefault(project.body_id, Decimal(0))
        budgets[project.body_id] += project.budget
    db.session.commit()
    year = db.session.query(LivelihoodProject.year).first()[0]

    client.post("/login", data={"username": city["city_leader"].username, "password": PASSWORD})
    page = client.get(f"/rollups?year={year}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    total_budget = sum(budgets.values())
    assert f"票决产生民生实事项目 {len(selected[0]) + len(selected[1])} 项" in text
    assert f"总投资 {total_budget:,.2f} 万元" in text

    export = client.get(f"/rollups/export.xlsx?year={year}")
    sheet = load_workbook(io.BytesIO(export.data)).active
    rows = {row[0]: row for row in sheet.iter_rows(min_row=5, values_only=True)}
    for county, chosen in zip(city["counties"], selected):
        assert rows[county.name][2] == len(chosen)
        assert Decimal(str(rows[county.name][3])) == budgets[county.id]
    assert rows["合计"][2] == sum(len(s) for s in selected)


def test_city_leader_reads_children_and_changes_nothing(api, city, client):
    sitting, ballot = _published_selection(api, city["staff"][0], "甲县会议", [range(6), range(5)])
    leader_token = api.token(city["city_leader"].username)
    assert api.get(f"/api/v1/meetings/{sitting.mid}", leader_token).status_code == 200
    assert api.get(f"/api/v1/ballots/{ballot['id']}/tally", leader_token).status_code == 200
    for action in ("open", "close", "publish", "runoff"):
        assert_refused(api.post(f"/api/v1/ballots/{ballot['id']}/{action}", leader_token), 403, "forbidden")
    city_secretariat = api.token(city["city_secretariat"].username)
    assert api.get(f"/api/v1/ballots/{ballot['id']}/tally", city_secretariat).status_code == 200
    for action in ("open", "close", "publish", "runoff"):
        assert_refused(api.post(f"/api/v1/ballots/{ballot['id']}/{action}", city_secretariat), 403, "forbidden")
    response = api.post(f"/api/v1/meetings/{sitting.mid}/deputies", city_secretariat,
                        json={"deputies": [{"name": "外来代表", "delegation": "x", "number": "999"}]})
    assert_refused(response, 403, "forbidden")


def test_county_cannot_see_other_county(api, city):
    sitting, ballot = _published_selection(api, city["staff"][0], "甲县会议", [range(6), range(5)])
    other = api.token(city["staff"][1]["secretariat"].username)
    assert_refused(api.get(f"/api/v1/meetings/{sitting.mid}", other), 404, "not_found")
    assert_refused(api.get(f"/api/v1/ballots/{ballot['id']}", other), 404, "not_found")
    assert_refused(api.get(f"/api/v1/ballots/{ballot['id']}/tally", other), 404, "not_found")
    assert_refused(api.post(f"/api/v1/ballots/{ballot['id']}/close", other), 404, "not_found")
    listing = api.get("/api/v1/meetings", other)
    if listing.status_code == 200:
        assert all(m["id"] != sitting.mid for m in listing.get_json().get("meetings", []))
    # A township below county 甲 is not visible to county 乙's secretariat either.
    township_secretariat = api.token(city["township_staff"]["secretariat"].username)
    assert_refused(api.get(f"/api/v1/meetings/{sitting.mid}", township_secretariat), 404, "not_found")


def test_rollup_of_another_body_is_hidden(city, client):
    client.post("/login", data={"username": city["staff"][1]["leader"].username, "password": PASSWORD})
    assert client.get(f"/rollups?body={city['counties'][0].id}").status_code == 404
    assert client.get(f"/rollups?body={city['city'].id}").status_code == 404
    assert client.get(f"/rollups?body={city['counties'][1].id}").status_code == 200


def test_two_township_sittings_at_once_do_not_cross(api, city, app):
    from tests.ballots.sitting import post_vote, run_threads

    township_b = gen_body("测试乙县某乡人大", level="township", parent=city["counties"][1])
    staff_a = {"secretariat": city["township_staff"]["secretariat"]}
    staff_b = {"secretariat": gen_user("secretariat", township_b)}
    sittings = []
    for staff, name in ((staff_a, "甲镇会议"), (staff_b, "乙乡会议")):
        sitting = Sitting(api, staff, size=8, name=name)
        sitting.check_in(range(8))
        ballot = sitting.ballot(items=3, seats=1)
        sitting.act(ballot["id"], "open")
        sittings.append((sitting, ballot, [sitting.token(i) for i in range(8)]))
    work = []
    for number, (sitting, ballot, tokens) in enumerate(sittings):
        favourite = ballot["items"][number]["id"]
        for index, token in enumerate(tokens):
            work.append(lambda client, t=token, b=ballot["id"], f=favourite, i=index:
                        post_vote(client, t, b, {f: "yes"}, f"key-{b}-{i}"))
    results = run_threads(app, work)
    assert [status for status, _ in results] == [201] * 16
    # A deputy of one township cannot vote in the other's ballot.
    (first, first_ballot, first_tokens), (second, second_ballot, _) = sittings
    crossed = api.post(f"/api/v1/ballots/{second_ballot['id']}/votes", first_tokens[0],
                       json={"choices": {}}, headers={"Idempotency-Key": "cross"})
    assert_refused(crossed, 404, "not_found")  # another county's ballot does not exist for its deputies
    for number, (sitting, ballot, _) in enumerate(sittings):
        sitting.act(ballot["id"], "close")
        sheet = sitting.tally(ballot["id"]).get_json()
        assert sheet["cast"] == 8 and sheet["issued"] == 8
        yes = {item["id"]: item["counts"]["yes"] for item in sheet["items"]}
        assert yes[ballot["items"][number]["id"]] == 8
        assert sum(yes.values()) == 8


def _appraisal(sitting, items: dict[str, str], votes: dict[str, list[str]], rule=None, parent=None) -> dict:
    """An appraisal ballot of `items` (reference -> title), or the re-appraisal round of
    `parent`; each deputy i votes votes[reference][i]; opened and closed."""
    api = sitting.api
    if parent is None:
        body = {"kind": "appraisal", "title": "年终满意度测评",
                "items": [{"title": title, "reference": ref} for ref, title in items.items()]}
        if rule is not None:
            body["rule"] = rule
        response = api.post(f"/api/v1/meetings/{sitting.mid}/ballots", sitting.secretariat, json=body)
    else:
        response = api.post(f"/api/v1/ballots/{parent['id']}/reappraisal", sitting.secretariat)
    assert response.status_code == 201, response.get_json()
    ballot = response.get_json()
    sitting.act(ballot["id"], "open")
    ids = {item["reference"]: item["id"] for item in ballot["items"]}
    for deputy in range(len(sitting.deputies)):
        choices = {ids[ref]: votes[ref][deputy] for ref in ids}
        assert sitting.vote(deputy, ballot["id"], choices).status_code == 201
    sitting.act(ballot["id"], "close")
    return ballot


S, B, U = "satisfied", "basically_satisfied", "unsatisfied"
THREE_OF_FIVE = [S, B, S, U, U]   # 60%: below 80%, re-report
FOUR_OF_FIVE = [S, S, B, S, U]    # exactly 80%: satisfactory, not below
ALL = [S] * 5


def test_appraisal_outcomes_roll_up(api, city, client):
    """'满意率低于80%的 K 项' counts project reports whose latest rate-mode round is below
    80%: not officials, not graded appraisals, not a report that passed its re-appraisal.
    The 再办理、再报告 column counts every item sent back at least once."""
    first = Sitting(api, city["staff"][0], size=5, name="甲县常委会会议")
    first.check_in(range(5))
    round1 = _appraisal(first, {"project:1": "老旧小区改造", "project:2": "学校食堂", "official:1": "某局长",
                                "project:3": "农村公路", "project:4": "社区食堂"},
                        {"project:1": THREE_OF_FIVE, "project:2": ALL, "official:1": THREE_OF_FIVE,
                         "project:3": THREE_OF_FIVE, "project:4": FOUR_OF_FIVE})
    # Round 2 of the three sent back: the road passes, the housing report and the official do not.
    _appraisal(first, {}, {"project:1": THREE_OF_FIVE, "official:1": THREE_OF_FIVE, "project:3": ALL},
               parent=round1)
    second = Sitting(api, city["staff"][1], size=5, name="乙县常委会会议")
    second.check_in(range(5))
    # A graded appraisal (述职评议 style) sends an item back without a satisfaction rate below 80%.
    _appraisal(second, {"project:9": "城乡供水"}, {"project:9": [U] * 5}, rule={"mode": "graded"})

    from voting.meetings.models import Meeting

    meeting = db.session.get(Meeting, int(first.mid))
    year = meeting.year or meeting.created_at.year
    client.post("/login", data={"username": city["city_leader"].username, "password": PASSWORD})
    text = client.get(f"/rollups?year={year}").get_data(as_text=True)
    assert "满意率低于80%的 1 项" in text
    assert "满意率低于80%的项目" in text  # the column, and the note that defines it

    export = client.get(f"/rollups/export.xlsx?year={year}")
    sheet = load_workbook(io.BytesIO(export.data)).active
    headers = [cell.value for cell in sheet[4]]
    rows = {row[0]: dict(zip(headers, row)) for row in sheet.iter_rows(min_row=5, values_only=True) if row[0]}
    figures = {name: (rows[name]["测评项目（项）"], rows[name]["满意（项）"], rows[name]["再办理、再报告（项）"],
                      rows[name]["满意率低于80%的项目（项）"]) for name in rows if name in
               [c.name for c in city["counties"]] + ["合计"]}
    assert figures == {city["counties"][0].name: (5, 3, 3, 1), city["counties"][1].name: (1, 0, 1, 0),
                       "合计": (6, 3, 4, 1)}
    assert sheet.cell(row=2, column=1).value.endswith("满意率低于80%的 1 项。")


def test_below_the_line_is_each_ballots_frozen_line(api, city, client):
    """A campaign that set its line at 2/3: a report at 75% (3 of 4) is satisfactory
    there, so it is not "below the line", although 75% < 80%; a report at 50% is."""
    sitting = Sitting(api, city["staff"][0], size=4, name="甲县常委会会议")
    sitting.check_in(range(4))
    two_thirds = {"mode": "rate", "threshold": {"fraction": "2/3", "inclusive": True, "base": "item_valid"}}
    _appraisal(sitting, {"project:1": "老旧小区改造", "project:2": "学校食堂"},
               {"project:1": [S, S, B, U], "project:2": [S, B, U, U]}, rule=two_thirds)
    from voting.meetings.models import Meeting

    meeting = db.session.get(Meeting, int(sitting.mid))
    year = meeting.year or meeting.created_at.year
    client.post("/login", data={"username": city["city_leader"].username, "password": PASSWORD})
    text = client.get(f"/rollups?year={year}").get_data(as_text=True)
    assert "满意率低于80%的 1 项" in text
    export = client.get(f"/rollups/export.xlsx?year={year}")
    sheet = load_workbook(io.BytesIO(export.data)).active
    headers = [cell.value for cell in sheet[4]]
    rows = {row[0]: dict(zip(headers, row)) for row in sheet.iter_rows(min_row=5, values_only=True) if row[0]}
    assert (rows["合计"]["满意（项）"], rows["合计"]["满意率低于80%的项目（项）"]) == (1, 1)
