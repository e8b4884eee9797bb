"""Every route of the app, for every role: the expected status.

EXPECTATIONS names, for each (method, endpoint), who may call it: a tuple of permissions
(see voting/accounts/permissions.py) or one of the special policies below. A route that
is missing here fails the test, so no new route can be forgotten.

Roles: anonymous; a deputy of this meeting; a deputy of another county's meeting; station,
department, teller, leader, secretariat and admin of this county; the secretariat of
another county; the leader and the secretariat of the parent city.

Every id in a route is a real record of this county (the `world` fixture: meeting,
ballots, deputies, station, deputy code, proposal and its photo, candidates, a tracked
project with its photo, update, milestone, inspection and supervision proposal, an
appraisal campaign with its items, re-reports and attachment), so that an allowed caller
must reach it (404 fails) and a refused one is refused for the right reason. A route
whose arguments the fixture cannot fill fails the test too.
"""
import pytest

from tests.ballots.sitting import Sitting
from tests.factories import PASSWORD, gen_body, gen_user
from voting.accounts.permissions import PERMISSIONS

PUBLIC = "public"            # anyone, signed in or not
SIGNED_IN = "signed_in"      # anyone signed in (staff or deputy)
DEPUTY_PAGE = "deputy_page"  # a deputy's browser session; staff get 403
BEARER = "bearer"            # a bearer token of any kind
LIVE = "live"                # signed-in people of the meeting's body, or the hall screen token
SCREEN = "screen"            # the hall screen token only
NAMED_TELLER = "named_teller"  # a teller's device, and only a teller named for the meeting (else 403 not_a_teller)
MOVED = "moved"              # an old address: a permanent redirect for anyone (voting/moved.py)

R, M = "meeting.read", "meeting.manage"
VOTE, TALLY, ATT, PAPER = "vote.cast", "tally.read", "attendance.read", "paper.enter"
APM, RER = "appraisals.manage", "rereport.submit"
PR, PM, PUO = "projects.read", "projects.manage", "projects.update_own"
SR, SM, PRR, PRS, PRSUB = "stations.read", "stations.manage", "proposals.read", "proposals.screen", "proposals.submit"

EXPECTATIONS = {
    ("GET", "accounts.index"): PUBLIC, ("GET", "accounts.login"): PUBLIC, ("POST", "accounts.login"): PUBLIC,
    ("POST", "accounts.logout"): PUBLIC, ("GET", "accounts.dashboard"): SIGNED_IN, ("GET", "healthz"): PUBLIC,
    ("GET", "favicon"): PUBLIC,
    ("GET", "admin.bodies"): ("body.manage",), ("POST", "admin.bodies"): ("body.manage",),
    ("GET", "admin.users"): ("user.manage",), ("POST", "admin.users"): ("user.manage",),
    ("POST", "api.revoke_token"): BEARER, ("POST", "api.create_token"): PUBLIC,
    ("POST", "api.name_tellers"): (M,), ("GET", "api.get_tellers"): (R,), ("GET", "api.encrypted_sums"): (TALLY,),
    ("GET", "api.cast_checks"): (R,),
    ("POST", "api.teller_transport_key"): NAMED_TELLER, ("POST", "api.teller_dealing"): NAMED_TELLER,
    ("POST", "api.teller_confirm"): NAMED_TELLER, ("POST", "api.give_decryption"): NAMED_TELLER,
    ("GET", "api.get_board"): PUBLIC, ("GET", "tellers.ceremony_page"): (R,), ("POST", "tellers.name"): (M,),
    ("GET", "tellers.board_page"): PUBLIC,
    ("GET", "api.get_ballot"): (R, VOTE), ("POST", "api.close_ballot"): (M,), ("GET", "api.not_voted"): (M,),
    ("POST", "api.open_ballot"): (M,), ("GET", "api.paper_overview"): (PAPER,),
    ("POST", "api.paper_enter_ballot"): (PAPER,), ("POST", "api.paper_issue"): (PAPER,),
    ("POST", "api.paper_enter_totals"): (PAPER,), ("POST", "api.publish_ballot"): (M,),
    ("POST", "api.start_reappraisal"): (M,), ("GET", "api.get_receipts"): SIGNED_IN,
    ("POST", "api.start_runoff"): (M,), ("GET", "api.get_tally"): (TALLY, VOTE),
    ("GET", "api.tally_csv"): (TALLY, VOTE), ("GET", "api.tally_pdf"): (TALLY, VOTE),
    ("GET", "api.tally_xlsx"): (TALLY, VOTE), ("POST", "api.cast_vote"): (VOTE,),
    ("POST", "api.create_meeting"): (M,), ("GET", "api.list_meetings"): (R,), ("GET", "api.get_meeting"): (R, VOTE),
    ("GET", "api.attendance"): (ATT,), ("POST", "api.create_ballot"): (M,), ("GET", "api.list_ballots"): (R, VOTE),
    ("POST", "api.check_in"): (M, VOTE), ("POST", "api.close_meeting"): (M,), ("POST", "api.import_deputies"): (M,),
    ("GET", "api.list_deputies"): (ATT,), ("POST", "api.reissue_card"): (M,), ("GET", "api.meeting_events"): LIVE,
    ("GET", "api.meeting_live"): LIVE, ("GET", "api.openapi_document"): PUBLIC, ("GET", "api.list_projects"): PUBLIC,
    ("POST", "api.submit_proposal"): PUBLIC, ("GET", "api.track_proposal"): PUBLIC, ("GET", "api.list_stations"): (SR,),
    ("GET", "appraisals.campaigns"): (APM, TALLY, RER), ("GET", "appraisals.campaign"): (APM, TALLY),
    ("POST", "appraisals.create_ballot"): (APM,), ("POST", "appraisals.add_items"): (APM,),
    ("POST", "appraisals.remove_item"): (APM,), ("GET", "appraisals.ranking"): (APM, TALLY),
    ("GET", "appraisals.ranking_xlsx"): (APM, TALLY), ("POST", "appraisals.start_reappraisal"): (APM,),
    ("POST", "appraisals.mark_rereports"): (APM,), ("GET", "appraisals.attachment"): (RER, APM, TALLY),
    ("GET", "appraisals.comments"): (VOTE,), ("POST", "appraisals.add_comments"): (VOTE,),
    ("GET", "appraisals.item"): (APM, TALLY, RER), ("GET", "appraisals.new_campaign"): (APM,),
    ("POST", "appraisals.create_campaign"): (APM,), ("GET", "appraisals.officials"): (APM, TALLY),
    ("POST", "appraisals.import_officials"): (APM,), ("GET", "appraisals.officials_template"): (APM,),
    ("GET", "appraisals.year_report_current"): (APM, TALLY), ("GET", "appraisals.year_report"): (APM, TALLY),
    ("GET", "appraisals.year_report_pdf"): (APM, TALLY), ("GET", "appraisals.year_report_xlsx"): (APM, TALLY),
    ("GET", "appraisals.rereports"): (RER,), ("GET", "appraisals.rereport"): (RER, APM, TALLY),
    ("POST", "appraisals.submit_rereport"): (RER,),
    ("GET", "ballots.detail"): (R,), ("POST", "ballots.act"): (M,), ("POST", "ballots.next_round"): (M,),
    ("GET", "ballots.detail_board"): (R,), ("GET", "ballots.rule_text"): (M,), ("GET", "ballots.receipt_qr"): PUBLIC,
    ("GET", "sheets.paper"): (PAPER,), ("POST", "sheets.paper_enter"): (PAPER,), ("POST", "sheets.paper_issue"): (PAPER,),
    ("POST", "sheets.paper_totals"): (PAPER,), ("GET", "sheets.sheet"): (TALLY, VOTE), ("GET", "sheets.index"): (TALLY, PAPER),
    ("GET", "meetings.card_login"): PUBLIC, ("GET", "meetings.tablet_service_worker"): PUBLIC,
    ("GET", "collection.intake.intake"): PUBLIC, ("POST", "collection.intake.intake_submit"): PUBLIC, ("GET", "collection.intake.qr"): PUBLIC,
    ("GET", "collection.intake.similar"): PUBLIC, ("GET", "collection.intake.deputy_intake"): PUBLIC,
    ("POST", "collection.intake.deputy_intake_submit"): PUBLIC, ("GET", "collection.intake.deputy_qr"): PUBLIC,
    ("GET", "collection.intake.deputy_similar"): PUBLIC, ("GET", "collection.intake.done"): PUBLIC, ("GET", "collection.intake.query"): PUBLIC,
    ("GET", "collection.home"): (PRR,), ("GET", "collection.candidates"): (PR,), ("POST", "collection.create_candidate"): (PM,),
    ("POST", "collection.delete_candidate"): (PM,), ("GET", "collection.edit_candidate"): (PM,),
    ("POST", "collection.edit_candidate"): (PM,), ("GET", "collection.candidates_ballot"): (PM,),
    ("POST", "collection.candidates_ballot"): (PM,), ("GET", "collection.export_pdf"): (PR,),
    ("GET", "collection.export_xlsx"): (PR,), ("POST", "collection.stations.create_deputy_code"): (SM,),
    ("GET", "collection.stations.deputy_poster"): (SR,), ("GET", "collection.photo"): (PRR,), ("GET", "collection.proposals"): (PRR,),
    ("GET", "collection.proposal"): (PRR,), ("POST", "collection.decline"): (PRS,), ("POST", "collection.merge"): (PRS,),
    ("POST", "collection.reply"): (PRS,), ("POST", "collection.change_status"): (PRS,),
    ("GET", "collection.staff_intake"): (PRSUB,), ("POST", "collection.staff_intake"): (PRSUB,),
    ("GET", "collection.staff_similar"): (PRSUB,),
    ("GET", "collection.stations.stations"): (SR,), ("POST", "collection.stations.create_station"): (SM,), ("GET", "collection.stations.edit_station"): (SM,),
    ("POST", "collection.stations.edit_station"): (SM,), ("GET", "collection.stations.station_poster"): (SR,),
    ("POST", "collection.stations.import_stations"): (SM,), ("GET", "collection.stations.station_template"): (SR,),
    ("GET", "collection.stats"): (PRR,),
    ("GET", "meetings.index"): (R,), ("POST", "meetings.create"): (M,), ("GET", "meetings.detail"): (R,),
    ("GET", "ballots.new"): (M,), ("POST", "ballots.create"): (M,), ("GET", "meetings.detail_board"): (R,),
    ("GET", "meetings.cards_confirm"): (M,), ("POST", "meetings.print_cards"): (M,), ("GET", "meetings.checkin"): (R,),
    ("POST", "meetings.mark_present"): (M,), ("POST", "meetings.mark_left"): (M,), ("POST", "meetings.mark_leave"): (M,),
    ("POST", "ballots.timer_expiry"): (M,), ("GET", "ballots.receipt_check"): PUBLIC,
    ("POST", "api.sign_out"): (M, VOTE), ("POST", "api.grant_leave"): (M,), ("GET", "api.presence"): (ATT,),
    ("POST", "api.set_timer_expiry"): (M,), ("POST", "api.sweep"): (M,), ("GET", "api.check_receipt"): PUBLIC, ("GET", "meetings.checkin_board"): (R,), ("POST", "meetings.close"): (M,),
    ("POST", "meetings.reissue_card"): (M,), ("GET", "meetings.leader"): (TALLY,), ("GET", "meetings.leader_board"): (TALLY,),
    ("GET", "meetings.roster"): (R,), ("POST", "meetings.import_roster"): (M,),
    ("GET", "meetings.roster_template"): (M,), ("POST", "meetings.results_shown"): (M,), ("POST", "meetings.screen_token"): (M,),
    ("POST", "meetings.revoke_screen"): (M,), ("GET", "meetings.hall_screen"): SCREEN,
    ("GET", "meetings.hall_screen_board"): SCREEN, ("GET", "meetings.tablet"): DEPUTY_PAGE,
    ("GET", "tracking.public_projects"): PUBLIC, ("GET", "tracking.public_project"): PUBLIC,
    ("GET", "tracking.lookup"): PUBLIC, ("GET", "tracking.public_photo"): PUBLIC,
    ("GET", "rollups.index"): ("rollup.read",), ("GET", "rollups.export_xlsx"): ("rollup.read",),
    ("GET", "tracking.home"): (PR, PUO), ("GET", "tracking.board"): (PR,), ("GET", "tracking.generate"): (PM,),
    ("POST", "tracking.generate_from"): (PM,), ("POST", "tracking.add_supervision_proposal"): (PM,),
    ("POST", "tracking.complete_milestone"): (PM, PUO), ("GET", "tracking.photo"): (PR, PUO),
    ("GET", "tracking.projects"): (PR, PUO), ("GET", "tracking.project"): (PR, PUO), ("GET", "tracking.edit_project"): (PM,),
    ("POST", "tracking.edit_project"): (PM,), ("POST", "tracking.record_inspection"): (PM,),
    ("POST", "tracking.add_milestone"): (PM, PUO), ("POST", "tracking.create_update"): (PUO,),
    ("POST", "tracking.reply"): (PUO,), ("POST", "tracking.publish_update"): (PUO,),
    ("GET", "verification.verify"): PUBLIC,
    **{(method, endpoint): MOVED for method in ("GET", "POST")
       for endpoint in ("moved_intake", "moved_intake_query", "moved_intake_done", "moved_public_project_pages",
                        "moved_sheet",
                        "moved_paper", "moved_paper_actions")},
    ("GET", "promised.intake"): PUBLIC, ("POST", "promised.intake_submit"): PUBLIC,
    ("GET", "promised.intake_qr"): PUBLIC, ("GET", "promised.public_projects"): PUBLIC,
}

ROLES = ("anonymous", "deputy", "other_deputy", "station", "department", "teller", "leader", "secretariat", "admin",
         "foreign_secretariat", "parent_leader", "parent_secretariat")
STAFF_ROLE = {"station": "station", "department": "department", "teller": "teller", "leader": "leader",
              "secretariat": "secretariat", "admin": "admin", "foreign_secretariat": "secretariat",
              "parent_leader": "leader", "parent_secretariat": "secretariat"}
# Requests that end a session, a token or the meeting go last.
LAST = ("api.sign_out", "api.close_meeting", "meetings.close", "accounts.logout", "api.revoke_token")
# Permissions that act on a body's records: a parent body's staff hold them for their own
# body only, so inside a child body they are refused (403) even for reading.
ACTING = {M, PM, SM, PRS, PRSUB, APM, PAPER, PUO, RER, VOTE}
DENIED = {401, 403}
SIGNS_IN = {"meetings.card_login", "accounts.login"}
FAKE_ID = 987654


def _rule_methods(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, rule


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DEPARTMENT = "矩阵测试局"


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _collection_records(county, station) -> dict:
    """A proposal with a photo, two draft candidates (one to edit, one to delete) and a
    deputy code, all in `county`."""
    from tests.collection.conftest import GOOD
    from voting.collection import services as collection

    proposal = collection.submit_proposal(GOOD, body_id=county.id, station=station, photos=[("p.png", _png())])
    candidate = collection.create_candidate(county.id, {"year": "2026", "title": "矩阵候选项目",
                                                        "department": DEPARTMENT, "budget": "100"}, "test")
    doomed = collection.create_candidate(county.id, {"year": "2026", "title": "矩阵待删候选项目",
                                                     "department": DEPARTMENT, "budget": "50"}, "test")
    code = collection.create_deputy_code(county.id, {"code": "MXD01", "deputy_name": "矩阵代表",
                                                     "station_id": str(station.id)}, "test")
    return {"proposal_id": proposal.id, "photo_id": proposal.photos[0].id, "tracking_code": proposal.tracking_code,
            "candidate_id": candidate.id, "doomed_candidate_id": doomed.id, "code_id": code.id,
            "deputy_code": code.code}


def _tracking_records(department, sitting) -> dict:
    """A project chosen by a real selection ballot of the sitting (closed, published),
    of `department`, with a public photo, a draft update, a milestone, an inspection
    and its supervision proposal."""
    from voting.extensions import db
    from voting.tracking import services as tracking
    from voting.tracking.models import LivelihoodProject

    ballot = sitting.ballot(items=2, seats=1)
    sitting.act(ballot["id"], "open")
    first = str(ballot["items"][0]["id"])
    for index in range(3):
        assert sitting.vote(index, ballot["id"], {first: "yes"}).status_code in (200, 201)
    sitting.act(ballot["id"], "close")
    sitting.act(ballot["id"], "publish")
    db.session.expire_all()
    project = db.session.query(LivelihoodProject).filter_by(ballot_item_id=int(first)).one()
    project.department = DEPARTMENT
    db.session.commit()
    published = tracking.create_update(project, department, {"percent": "30", "text": "主体结构已开工"},
                                       [("u.png", _png())], publish=True)
    draft = tracking.create_update(project, department, {"percent": "40", "text": "草稿进展"}, publish=False)
    milestone = tracking.add_milestone(project, {"title": "完成设计", "due_date": "2026-06-30"}, "test")
    inspection = tracking.record_inspection(project, {"visited_on": "2026-05-01", "deputies": "矩阵代表",
                                                      "findings": "进度正常", "proposals": "加快进度"}, [], "test")
    return {"project_id": project.id, "project_photo_id": published.photos[0].id, "update_id": draft.id,
            "milestone_id": milestone.id, "inspection_id": inspection.id,
            "supervision_id": inspection.proposals[0].id, "ballot_id": project.ballot_item.ballot_id}


def _appraisal_records(county, department, sitting) -> dict:
    """A rate-mode campaign of two project reports and one official, voted in the
    sitting's meeting: both reports fall below 80% and are sent back; one re-report is
    submitted with a PDF attachment, the other is still due."""
    from tests.appraisals.conftest import make_project
    from voting.appraisals import services as appraisals
    from voting.appraisals.models import Rereport
    from voting.extensions import db

    first = make_project(county, "矩阵老旧小区改造", DEPARTMENT)
    second = make_project(county, "矩阵学校食堂提升", DEPARTMENT)
    [official] = appraisals.import_officials(county.id, [(2, {"name": "矩阵某某", "post": "局长",
                                                               "department": DEPARTMENT})], "test")
    campaign = appraisals.create_campaign(county.id, {"title": "矩阵满意度测评", "year": "2026", "mode": "rate",
                                                      "fraction": "4/5", "inclusive": "1", "base": "item_valid"},
                                          "test")
    appraisals.add_items(campaign, project_ids=[first.id, second.id], official_ids=[official.id], actor="test")
    from voting.meetings.models import Meeting

    ballot = appraisals.create_ballot(campaign, db.session.get(Meeting, int(sitting.mid)), "test")
    items = {item.reference: str(item.id) for item in ballot.items}
    sitting.act(ballot.id, "open")
    for index in range(3):
        choices = {items[f"project:{first.id}"]: "unsatisfied", items[f"project:{second.id}"]: "unsatisfied",
                   items[f"official:{official.id}"]: "satisfied"}
        assert sitting.vote(index, ballot.id, choices).status_code in (200, 201)
    sitting.act(ballot.id, "close")
    db.session.expire_all()
    campaign = db.session.get(type(campaign), campaign.id)
    done, due = sorted(appraisals.mark_rereports(campaign, "2026-12-20", "test"), key=lambda r: r.id)
    appraisals.submit_rereport(db.session.get(Rereport, done.id), department, "已完成整改", [("r.pdf", PDF)])
    done = db.session.get(Rereport, done.id)
    return {"cid": campaign.id, "iid": done.item_id, "rid": done.id, "due_rid": due.id,
            "aid": done.attachments[0].id}


@pytest.fixture
def world(app, api):
    city = gen_body("矩阵测试市", level="city")
    county = gen_body("矩阵测试甲县", parent=city)
    other = gen_body("矩阵测试乙县", parent=city)
    users = {role: gen_user(STAFF_ROLE[role], county, department=DEPARTMENT if role == "department" else None)
             for role in ("station", "department", "teller", "leader", "secretariat", "admin")}
    users["foreign_secretariat"] = gen_user("secretariat", other)
    users["parent_leader"] = gen_user("leader", city)
    users["parent_secretariat"] = gen_user("secretariat", city)
    sitting = Sitting(api, {"secretariat": users["secretariat"]}, size=3)
    sitting.check_in(range(3))
    ballot = sitting.ballot(items=3, seats=2)
    sitting.act(ballot["id"], "open")
    elsewhere = Sitting(api, {"secretariat": users["foreign_secretariat"]}, size=1, name="乙县会议")
    from voting.collection.models import LiaisonStation

    from voting.extensions import db

    station = LiaisonStation(body_id=county.id, code="MX01", name="矩阵联络站", township="东湖镇")
    db.session.add(station)
    db.session.commit()
    values = {"mid": int(sitting.mid), "bid": int(ballot["id"]), "did": int(sitting.deputies[1]["id"]),
              "code": "MX01", "station_id": station.id, "year": 2026,
              "secret": sitting.deputies[2]["card"], "action": None}
    values.update(_collection_records(county, station))
    values.update(_tracking_records(users["department"], sitting))
    values.update(_appraisal_records(county, users["department"], sitting))
    return {"users": users, "sitting": sitting, "elsewhere": elsewhere, "values": values}


# Where one argument name stands for different records, or a request would destroy the
# record the next route needs: the value to use, per endpoint and argument.
OVERRIDES = {
    ("collection.delete_candidate", "candidate_id"): "doomed_candidate_id",
    ("tracking.photo", "photo_id"): "project_photo_id",
    ("tracking.public_photo", "photo_id"): "project_photo_id",
    ("tracking.reply", "proposal_id"): "supervision_id",
    ("appraisals.submit_rereport", "rid"): "due_rid",
    **{(endpoint, "code"): "deputy_code" for endpoint in ("collection.intake.deputy_intake", "collection.intake.deputy_qr",
                                                          "collection.intake.deputy_similar",
                                                          "collection.intake.deputy_intake_submit")},
}


def _url(app, rule, values):
    args = {}
    for name in rule.arguments:
        if name == "action":
            args[name] = "open" if "open" in str(rule) else "runoff"
        elif name == "rest":
            args[name] = "any/old/address"
        else:
            args[name] = values.get(OVERRIDES.get((rule.endpoint, name), name), FAKE_ID)
    with app.test_request_context():
        from flask import url_for

        named = [name for name in rule.arguments if name not in ("action", "year", "rest")]
        return url_for(rule.endpoint, **args), bool(named) and all(name in values for name in named)


def _clients(app, api, world):
    """A (test client, headers) per role: bearer tokens for the API, sessions for pages."""
    sessions, tokens = {}, {}
    for role in ROLES:
        client = app.test_client()
        if role in STAFF_ROLE:
            user = world["users"][role]
            assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302
            tokens[role] = api.token(user.username)
        elif role == "deputy":
            assert client.get(f"/card/{world['sitting'].deputies[0]['card']}").status_code in (200, 302)
            tokens[role] = world["sitting"].token(0)
        elif role == "other_deputy":
            assert client.get(f"/card/{world['elsewhere'].deputies[0]['card']}").status_code in (200, 302)
            tokens[role] = world["elsewhere"].token(0)
        sessions[role] = client
    return sessions, tokens


FOREIGN = ("foreign_secretariat", "other_deputy")


def expected(policy, role, method, real_ids):
    """'allowed', or the set of statuses a refusal may have. Another county's records
    do not exist for its staff and deputies (404); a parent body's staff read its
    children's records but change nothing there (403)."""
    if policy == PUBLIC:
        return "allowed"
    if policy == MOVED:
        return {301} if method == "GET" else {308}
    if policy == SCREEN:
        return {403, 404}  # without the screen token nobody sees the hall screen
    if role == "anonymous":
        return "anonymous"
    if policy == NAMED_TELLER:  # the world's meeting names no tellers: every teller is refused as not named
        if role in FOREIGN and real_ids and STAFF_ROLE.get(role) == "teller":
            return {404}
        return {403, 409} if STAFF_ROLE.get(role) == "teller" else {403}
    if policy in (SIGNED_IN, BEARER, LIVE) and role in FOREIGN and real_ids:
        return {404}
    if policy in (SIGNED_IN, BEARER):
        return "allowed"
    if policy == DEPUTY_PAGE:  # staff are sent to their dashboard
        return "allowed" if role in ("deputy", "other_deputy") else {302, 403}
    if policy == LIVE:
        return "allowed" if role in ("deputy", "teller", "leader", "secretariat", "admin",
                                     "parent_leader", "parent_secretariat") else {403, 404}
    staff_role = STAFF_ROLE.get(role, "deputy")
    if not any(p in PERMISSIONS[staff_role] for p in policy):
        return {403}
    if role in FOREIGN and real_ids:
        return {404}
    if role.startswith("parent_") and real_ids and (method == "POST" or set(policy) <= ACTING):
        return {403}
    return "allowed"


def test_every_route_has_an_expectation(app):
    missing = sorted({(method, rule.endpoint) for method, rule in _rule_methods(app)} - set(EXPECTATIONS))
    assert not missing, f"routes without an expectation in the authorization matrix: {missing}"


def test_authorization_matrix(app, api, world):
    from tests.ballots.sitting import release_database

    sessions, tokens = _clients(app, api, world)
    release_database()
    routes = sorted(_rule_methods(app), key=lambda mr: (LAST.index(mr[1].endpoint) if mr[1].endpoint in LAST else -1,
                                                        mr[0] == "POST", mr[1].rule))
    failures = []
    for method, rule in routes:
        policy = EXPECTATIONS[(method, rule.endpoint)]
        url, real_ids = _url(app, rule, world["values"])
        if set(rule.arguments) - {"action", "year", "rest"} and not real_ids:
            failures.append(f"{method} {rule.rule}: no real record for its arguments in the world fixture")
            continue
        is_api = url.startswith("/api/")
        outcomes = {role: expected(policy, role, method, real_ids) for role in ROLES}
        # Refused callers first, so an allowed change cannot alter what they see.
        for role in sorted(ROLES, key=lambda r: outcomes[r] == "allowed"):
            client = sessions[role]
            headers = {}
            if is_api and role in tokens:
                headers["Authorization"] = f"Bearer {tokens[role]}"
                client = app.test_client()
            kwargs = {"json": {}} if (is_api and method == "POST") else {"data": {}} if method == "POST" else {}
            if rule.endpoint == "api.cast_vote":
                headers["Idempotency-Key"] = f"matrix-{role}"
            if rule.endpoint in SIGNS_IN:
                client = app.test_client()  # a card or login page would replace this role's session
            status = client.open(url, method=method, headers=headers, **kwargs).status_code
            want = outcomes[role]
            if rule.endpoint == "meetings.close" and role == "deputy" and want != "allowed":
                want = want | {302}  # the API closed the meeting just before: its deputies are signed out
            if status >= 500:
                failures.append(f"{method} {url} as {role}: {status}")
            elif want == "allowed":
                # With real records an allowed caller must reach them: 404 would mean the
                # route (or the world below) is wrong, and would hide what it does.
                if status in DENIED or (real_ids and status == 404):
                    failures.append(f"{method} {url} as {role}: {status}, expected access")
            elif want == "anonymous":
                if status not in ((401,) if is_api else (302, 401)):
                    failures.append(f"{method} {url} as anonymous: {status}, expected {'401' if is_api else '302'}")
            elif status not in want:
                failures.append(f"{method} {url} as {role}: {status}, expected one of {sorted(want)}")
    assert not failures, "\n".join(failures)
