"""One display time zone (voting/localtime.py): Asia/Shanghai unless DISPLAY_TIMEZONE
says otherwise, the same on pages, sheets and the public query."""
from datetime import date, datetime, timezone

import pytest

from tests.factories import login
from voting.collection.intake import submit_proposal
from voting.extensions import db
from voting.localtime import local_text, local_today, to_local

SIX_UTC = datetime(2026, 11, 23, 6, 0)            # stored: naive UTC
LATE_UTC = datetime(2026, 11, 23, 17, 30)         # 01:30 the next day in Beijing


@pytest.mark.parametrize("moment, fmt, want", [
    (SIX_UTC, "%Y-%m-%d %H:%M", "2026-11-23 14:00"),
    (LATE_UTC, "%Y-%m-%d", "2026-11-24"),
    ("2026-11-23T06:00:00Z", "%Y-%m-%d %H:%M", "2026-11-23 14:00"),
    (datetime(2026, 11, 23, 6, 0, tzinfo=timezone.utc), "%H:%M", "14:00"),
    (date(2026, 11, 23), "%Y-%m-%d %H:%M", "2026-11-23"),  # a day has no zone
    (None, "%H:%M", ""),
])
def test_local_text_in_the_default_zone(app, moment, fmt, want):
    assert local_text(moment, fmt) == want


def test_the_zone_is_configurable_and_a_bad_name_is_explained(make_app):
    other = make_app(DISPLAY_TIMEZONE="Asia/Urumqi")
    with other.app_context():
        assert local_text(SIX_UTC) == "2026-11-23 12:00"
        assert local_today(datetime(2026, 11, 23, 17, 0, tzinfo=timezone.utc)) == date(2026, 11, 23)
    broken = make_app(DISPLAY_TIMEZONE="Mars/Olympus")
    with broken.app_context(), pytest.raises(ValueError, match="DISPLAY_TIMEZONE"):
        to_local(SIX_UTC)


def test_local_today_turns_at_local_midnight(app):
    assert local_today(datetime(2026, 11, 23, 16, 0, tzinfo=timezone.utc)) == date(2026, 11, 24)
    assert local_today(datetime(2026, 11, 23, 15, 59, tzinfo=timezone.utc)) == date(2026, 11, 23)


def test_pages_and_the_public_query_show_local_time(app, staff, body):
    proposal = submit_proposal({"title": "东湖镇新建公办幼儿园", "description": "东湖镇适龄幼儿入园难，希望新建一所公办幼儿园。",
                                "category": "教育", "location": "东湖镇", "contact": "13912345678"}, body_id=body.id)
    proposal.created_at = LATE_UTC
    db.session.commit()
    client = login(app.test_client(), staff["secretariat"])
    page = client.get(f"/collection/proposals/{proposal.id}").get_data(as_text=True)
    assert "2026-11-24 01:30" in page and "2026-11-23 17:30" not in page
    listing = client.get("/collection/proposals").get_data(as_text=True)
    assert "2026-11-24 01:30" in listing
    from voting.collection.intake import public_status

    assert public_status(proposal)["submitted_at"] == "2026-11-24"
