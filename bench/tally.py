"""Time the core's count + signature of a prepared ballot (3,000 sealed ballots × 25
candidates, 20 seats), in-process, without HTTP, and profile the whole close."""
import cProfile
import io
import pstats
import secrets
import tempfile
import time
from pathlib import Path

from bench.client import CANDIDATES, SEATS, plan_for


def prepared_close(voters: int = 3000, database_url: str | None = None) -> dict:
    from sqlalchemy import insert

    from voting import create_app
    from voting.accounts.services import ensure_top_body
    from voting.ballots import services
    from voting.ballots.casting import seal_choices
    from voting.ballots.models import CastBallot, Participation
    from voting.extensions import db
    from voting.integrity import keys
    from voting.meetings.models import Attendance
    from voting.meetings.services import create_meeting, import_roster

    workdir = Path(tempfile.mkdtemp(prefix="voting-bench-tally-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url or f"sqlite:///{workdir / 'tally.sqlite'}",
                      "KEY_DIR": str(workdir), "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.create_all()
        keys.ensure_keys()
        body, _ = ensure_top_body("计票计时", "county")
        db.session.commit()
        meeting = create_meeting(body.id, "计票计时会议")
        deputies = [d for d, _ in import_roster(meeting, [{"name": f"代表{i}", "number": f"{i:04d}"}
                                                          for i in range(voters)])]
        db.session.execute(insert(Attendance), [{"meeting_id": meeting.id, "deputy_id": d.id, "by_staff": True,
                                                 "checked_in_at": meeting.created_at} for d in deputies])
        db.session.commit()
        ballot = services.create_ballot(meeting, kind="selection", title="计时票决", seats=SEATS,
                                        items=[{"title": f"候选{i}"} for i in range(CANDIDATES)])
        ballot = services.open_ballot(ballot)
        item_ids = [str(item.id) for item in ballot.items]
        from voting.rules import check_choices

        casts, participations = [], []
        started = time.monotonic()
        for i, deputy in enumerate(deputies):
            completed = check_choices(ballot.kind, item_keys=item_ids, choices=plan_for(i, item_ids),
                                      seats=ballot.seats, options=ballot.options)
            sealed, tracker = seal_choices(ballot, completed)
            casts.append({"id": secrets.token_hex(16), "ballot_id": ballot.id, "tracker": tracker, "sealed": sealed,
                          "channel": "tablet", "invalid": False})
            participations.append({"ballot_id": ballot.id, "deputy_id": deputy.id, "channel": "tablet"})
        db.session.execute(insert(Participation), participations)
        db.session.execute(insert(CastBallot), casts)
        db.session.commit()
        sealing_s = time.monotonic() - started

        started = time.monotonic()
        sheet = services.count_ballot(ballot)
        sheet["signature"] = keys.sign_sheet(sheet)
        tally_sign_s = time.monotonic() - started
        db.session.rollback()

        profile = cProfile.Profile()
        started = time.monotonic()
        profile.enable()
        closed = services.close_ballot(services.get_ballot(ballot.id))
        profile.disable()
        close_s = time.monotonic() - started
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(18)
        top = "\n".join(line for line in out.getvalue().splitlines() if line.strip())[:6000]
        result = {"voters": voters, "items": CANDIDATES, "cast": closed["cast"],
                  "seal_per_ballot_ms": round(1000 * sealing_s / voters, 2),
                  "tally_and_signature_seconds": round(tally_sign_s, 3),
                  "whole_close_seconds": round(close_s, 3), "close_profile": top}
        db.session.remove()
        db.engine.dispose()
    return result
