"""Reading a ballot's stored tally sheet for the pages and files, and checking it.

Who may read a sheet: staff of the ballot's body with `tally.read` (secretariat,
tellers, leaders), the leaders and secretariat of parent bodies, and the deputies of
its meeting once it is published. Everyone reads the same stored, signed JSON.
"""
from dataclasses import dataclass, field

from voting.accounts.permissions import READ_TALLY, has_permission, readable_body_ids
from voting.ballots import services as ballots
from voting.ballots.models import Ballot, BallotState
from voting.ballots.verification import _recorded_digest, check_integrity, check_participation, check_state_audited
from voting.integrity import keys
from voting.errors import Refusal
from voting.verification.checks import matches_pin, pinned_fingerprint
from voting.sheets.render import SheetUnreadable, SheetView, sheet_view


def readable_sheet(ballot: Ballot, principal) -> dict:
    """The stored sheet for `principal` (already allowed to see the ballot):
    409 results_not_available while draft/open; deputies once results are shown
    (after publish, or at close where the meeting shows results at close)."""
    try:
        sheet = ballots.tally_for(ballot)
    except ValueError as error:  # the stored JSON no longer parses
        raise Refusal(409, "sheet_unreadable", "计票单内容已损坏，无法读取，请运行核验。") from error
    if principal.is_deputy and not ballot.results_shown:  # the meeting's display policy
        raise Refusal(403, "forbidden", "表决结果公布后，代表才能查看计票单。")
    return sheet


def readable_view(ballot: Ballot, principal) -> tuple[dict, SheetView]:
    sheet = readable_sheet(ballot, principal)
    try:
        return sheet, sheet_view(sheet)
    except SheetUnreadable as error:
        raise Refusal(409, "sheet_unreadable", str(error)) from error


def staff_may_read_tally(principal, ballot: Ballot) -> bool:
    """Signed-in staff allowed to read this ballot's sheet before it is published:
    `tally.read` in the ballot's body or (leaders, secretariat, admin) a parent body."""
    return (principal is not None and not principal.is_deputy and has_permission(principal, READ_TALLY)
            and ballot.body_id in readable_body_ids(principal))


def signature_holds(sheet: dict) -> bool:
    """The Ed25519 signature is valid and made with this installation's key."""
    signed_by = (sheet.get("signature") or {}).get("public_key")
    return keys.verify_sheet(sheet) and signed_by == keys.public_key_b64()


@dataclass
class Verification:
    """What /verify shows. `checked` is False (nothing else filled in) before the
    ballot is published, or, for staff who may read its sheet, before it is closed."""

    published: bool
    checked: bool = False
    readable: bool = False
    signature_ok: bool = False
    pinned: str = ""  # SIGNING_KEY_FINGERPRINT, when configured
    recount_ok: bool = False
    recorded_ok: bool = False
    audited_ok: bool = False
    participation_ok: bool = False
    problems: list[str] = field(default_factory=list)
    view: SheetView | None = None

    @property
    def ok(self) -> bool:
        return (self.readable and self.signature_ok and self.recount_ok and self.recorded_ok and self.audited_ok
                and self.participation_ok)


def verify_ballot(ballot: Ballot, *, staff: bool = False) -> Verification:
    """Check a ballot's stored sheet: its signature, a recount of the stored sealed
    ballots under the frozen rule (the same `count_ballot` that made it), the digest
    recorded in the audit chain at close, the audit entries behind its state, and
    participations against cast ballots. Everyone once it is published; with `staff`
    (the caller may read its sheet: `staff_may_read_tally`) as soon as it is closed."""
    published = ballot.state == BallotState.published.value
    if not (ballot.results_shown or (staff and ballot.results_available)):  # results_shown: the meeting's policy
        return Verification(published=False)
    result = Verification(published=published, checked=True)
    try:
        sheet = ballots.stored_sheet(ballot)
    except ValueError:
        sheet = None
    if not isinstance(sheet, dict):
        result.problems.append("计票单缺失或内容已损坏")
        return result
    try:
        result.view = sheet_view(sheet)
        result.readable = True
    except SheetUnreadable as error:
        result.problems.append(str(error))
    result.signature_ok = signature_holds(sheet)
    if not result.signature_ok:
        result.problems.append("计票单的签名不符：内容在签名后被改动，或不是本系统签发的")
    result.pinned = pinned_fingerprint()
    if result.view and matches_pin(result.view.fingerprint) is False:
        result.signature_ok = False
        result.problems.append(f"计票单的签名公钥指纹不是本系统公布的 {result.pinned}：签名密钥可能被替换")
    try:
        recount = ballots.count_ballot(ballot)
    except ballots.CountError as error:
        result.problems.append(f"无法重新计票：{error}")
    else:
        result.recount_ok = recount == ballots.counted_part(sheet)
        if not result.recount_ok:
            result.problems.append("按已保存的选票重新计票，结果与计票单不一致")
    result.recorded_ok = _recorded_digest(ballot.id) == ballots.sheet_digest(sheet)
    if not result.recorded_ok:
        result.problems.append("计票单与结束表决时审计日志记录的摘要不符")
    audited = check_state_audited(ballot, lambda _line: None)
    result.audited_ok = not audited
    result.problems.extend(audited)
    participation = check_participation(ballot, lambda _line: None) + check_integrity(
        ballot, sheet, "计票单", lambda _line: None)
    result.participation_ok = not participation
    result.problems.extend(participation)
    return result
