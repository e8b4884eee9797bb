"""Attendance through the day: leave (请假), leaving mid-session (中途退场, 签退) and
re-entry (checking in again, `services.check_in`).

Present (实到) is always the set of Attendance rows: signing out removes the deputy's
row and records an Absence with its reason, checking in again removes the Absence.
A ballot's issued count is frozen from that set when it opens (ballots.lifecycle), so
a deputy who left before an open is not issued that ballot, and one who left after it
opened cannot vote on it until re-entry (ballots.hall). Every change is audited and
committed once."""
from datetime import datetime

from sqlalchemy import delete, func, select

from voting.accounts.models import utcnow
from voting.errors import Refusal
from voting.extensions import db
from voting.integrity import audit
from voting.meetings.models import Absence, Attendance, Deputy, Meeting
from voting.meetings.services import attendance_figures

LEAVE, LEFT = "leave", "left"
REASON_LABELS = {LEAVE: "请假", LEFT: "中途退场"}
STATUS_LABELS = {"present": "在场", LEAVE: "请假", LEFT: "已退场", "absent": "未签到"}


def _checked(meeting: Meeting, deputy: Deputy) -> None:
    if deputy.meeting_id != meeting.id:
        raise Refusal(404, "not_found", "本次会议没有这名代表。")
    if meeting.closed_at is not None:
        raise Refusal(409, "invalid_transition", "会议已经结束。")


def is_present(meeting_id: int, deputy_id: int) -> bool:
    return db.session.scalar(select(Attendance.id).where(Attendance.meeting_id == meeting_id,
                                                         Attendance.deputy_id == deputy_id)) is not None


def absence_of(meeting_id: int, deputy_id: int) -> Absence | None:
    return db.session.scalar(select(Absence).where(Absence.meeting_id == meeting_id, Absence.deputy_id == deputy_id))


def _set_absence(meeting: Meeting, deputy: Deputy, reason: str, by_staff: bool, now: datetime) -> None:
    row = absence_of(meeting.id, deputy.id)
    if row is None:
        db.session.add(Absence(meeting_id=meeting.id, deputy_id=deputy.id, reason=reason, since=now,
                               by_staff=by_staff))
    else:
        row.reason, row.since, row.by_staff = reason, now, by_staff
    db.session.execute(delete(Attendance).where(Attendance.meeting_id == meeting.id,
                                                Attendance.deputy_id == deputy.id))
    db.session.flush()


def sign_out(meeting: Meeting, deputy: Deputy, *, actor: str = "", by_staff: bool = False,
             now: datetime | None = None) -> dict:
    """The deputy leaves the hall (中途退场): no longer present. Returns day_figures."""
    _checked(meeting, deputy)
    if not is_present(meeting.id, deputy.id):
        raise Refusal(409, "not_present", "该代表当前不在场（未签到或已退场），无需签退。")
    _set_absence(meeting, deputy, LEFT, by_staff, now or utcnow())
    audit.record("signed_out", actor=actor, subject=f"deputy:{deputy.id}", body_id=meeting.body_id,
                 details={"meeting": meeting.id, "by_staff": bool(by_staff)})
    figures = day_figures(meeting)
    db.session.commit()
    return figures


def grant_leave(meeting: Meeting, deputy: Deputy, *, actor: str = "", now: datetime | None = None) -> dict:
    """The secretariat records the deputy on leave (请假); a present deputy stops being present."""
    _checked(meeting, deputy)
    row = absence_of(meeting.id, deputy.id)
    if row is not None and row.reason == LEAVE:
        raise Refusal(409, "already_on_leave", "该代表已登记请假。")
    was_present = is_present(meeting.id, deputy.id)
    _set_absence(meeting, deputy, LEAVE, True, now or utcnow())
    audit.record("leave_granted", actor=actor, subject=f"deputy:{deputy.id}", body_id=meeting.body_id,
                 details={"meeting": meeting.id, "was_present": was_present})
    figures = day_figures(meeting)
    db.session.commit()
    return figures


def absence_counts(meeting_id: int) -> dict:
    rows = dict(db.session.execute(select(Absence.reason, func.count(Absence.id))
                                   .where(Absence.meeting_id == meeting_id).group_by(Absence.reason)).all())
    return {"on_leave": rows.get(LEAVE, 0), "left": rows.get(LEFT, 0)}


def day_figures(meeting: Meeting) -> dict:
    """attendance_figures plus deputies on leave (请假) and who left (中途退场)."""
    return {**attendance_figures(meeting), **absence_counts(meeting.id)}


def statuses(meeting_id: int) -> dict[int, str]:
    """deputy id → "present" | "leave" | "left" for every deputy with a status ("absent" otherwise)."""
    found = {deputy_id: reason for deputy_id, reason in db.session.execute(
        select(Absence.deputy_id, Absence.reason).where(Absence.meeting_id == meeting_id))}
    for deputy_id in db.session.scalars(select(Attendance.deputy_id).where(Attendance.meeting_id == meeting_id)):
        found[deputy_id] = "present"
    return found


def status_of(meeting_id: int, deputy_id: int) -> str:
    if is_present(meeting_id, deputy_id):
        return "present"
    row = absence_of(meeting_id, deputy_id)
    return row.reason if row is not None else "absent"


def deputy_in(meeting, deputy_id: int):
    """The deputy of this meeting with that id; 404 otherwise."""
    deputy = db.session.get(Deputy, deputy_id)
    if deputy is None or deputy.meeting_id != meeting.id:
        raise Refusal(404, "not_found", "本次会议没有这名代表。")
    return deputy
