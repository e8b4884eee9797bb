"""The live snapshot: its shape, what it leaves out, and when its version changes."""
from tests.ballots.sitting import Sitting
from voting.live.snapshot import build_snapshot, fingerprint, version_of


def test_snapshot_shape_and_no_drafts(api, staff):
    s = Sitting(api, staff, size=3)
    s.check_in([0, 1])
    draft = s.ballot()
    snap = build_snapshot(int(s.mid))
    assert set(snap) == {"version", "meeting", "total", "present", "required", "quorum_met", "ballots",
                         "on_leave", "left", "timer_expiry"}
    assert snap["meeting"] == {"id": s.mid, "name": s.meeting["name"], "closed": False}
    assert (snap["total"], snap["present"], snap["required"], snap["quorum_met"]) == (3, 2, 2, True)
    assert snap["ballots"] == []  # a draft is the secretariat's work, not news
    s.act(draft["id"], "open")
    snap = build_snapshot(int(s.mid))
    assert snap["ballots"] == [{"id": draft["id"], "title": draft["title"], "kind": "selection", "state": "open",
                                "round": 1, "issued": 2, "cast": 0, "rehearsal": False, "secret": True,
                                "deadline": None, "timer_expired": False}]


def test_no_counts_of_choices_while_open(api, staff):
    s = Sitting(api, staff, size=3)
    s.check_in([0, 1, 2])
    ballot = s.ballot(items=2, seats=1)
    s.act(ballot["id"], "open")
    assert s.vote(0, ballot["id"], {ballot["items"][0]["id"]: "yes"}).status_code == 201
    snap = build_snapshot(int(s.mid))
    text = repr(snap)
    assert snap["ballots"][0]["cast"] == 1
    for word in ("yes", "no", "abstain", "counts"):
        assert word not in text


def test_version_changes_with_everything_shown(api, staff):
    s = Sitting(api, staff, size=3)
    mid = int(s.mid)
    seen = {version_of(fingerprint(mid))}

    def changed():
        version = version_of(fingerprint(mid))
        assert version not in seen
        seen.add(version)
        assert build_snapshot(mid)["version"] == version

    s.check_in([0])
    changed()
    s.check_in([1])
    changed()
    ballot = s.ballot(items=2, seats=1)
    changed()
    s.act(ballot["id"], "open")
    changed()
    s.vote(0, ballot["id"], {})
    changed()
    s.act(ballot["id"], "close")
    changed()
    s.act(ballot["id"], "publish")
    changed()
    # nothing changed: same version
    assert version_of(fingerprint(mid)) in seen


def test_unknown_meeting_has_no_snapshot(app):
    assert fingerprint(999999) is None
    assert build_snapshot(999999) is None


def test_version_changes_with_the_display_policy(api, staff):
    """The hall screen shows or hides a closed result when the meeting's policy changes."""
    from voting.extensions import db
    from voting.meetings import display
    from voting.meetings.models import Meeting

    s = Sitting(api, staff, size=3)
    before = version_of(fingerprint(int(s.mid)))
    display.set_results_shown(db.session.get(Meeting, int(s.mid)), "publish", actor="test")
    assert version_of(fingerprint(int(s.mid))) != before
