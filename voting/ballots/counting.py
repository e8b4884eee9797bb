"""Counting: the stored sealed ballots (and the tellers' paper totals) opened with the
ballot's key and tallied under the frozen rule through `voting.rules.tally`; the
signed sheet's integrity block and digest."""
import hashlib
import json
from datetime import datetime

from sqlalchemy import func, select

from voting.ballots.models import Ballot, CastBallot, PaperCount, Participation
from voting.rules import ABSTAIN
from voting.extensions import db
from voting.integrity import sealing
from voting.integrity.canonical import canonical_json
from voting.tellers import tally as tellers
from voting.rules import APPRAISAL, OUTCOME_NAMES, rule_from_json, rule_text, tally


VOID_OUTCOME = "void"


class CountError(Exception):
    """Stored ballots that cannot be counted (tampering or a lost key)."""


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") + "Z" if moment else None


def accepted_options(ballot: Ballot) -> list[str]:
    options = ballot.options
    return options + ([ABSTAIN] if ABSTAIN not in options else [])


def unsealed_casts(ballot: Ballot):
    """(channel, invalid, choices) of every stored cast ballot sealed to the installation's
    key (every one, or under tellers the paper ballots), unsealed with the ballot's private key. Raises CountError when a sealed ballot does not open or its
    tracker is not the hash of its sealed bytes."""
    private = sealing.unwrap_private_key(ballot.id, ballot.wrapped_private_key)
    rows = db.session.execute(select(CastBallot.sealed, CastBallot.tracker, CastBallot.channel, CastBallot.invalid)
                              .where(CastBallot.ballot_id == ballot.id, CastBallot.origin.is_(None))
                              .order_by(CastBallot.id))
    for sealed, tracker, channel, invalid in rows:
        yield channel, bool(invalid), _opened(private, ballot, sealed, tracker, "张选票", "回执码")


def _opened(private, ballot: Ballot, sealed: bytes, tracker: str, what: str, mark: str):
    """The sealed content of one stored record (`what`: "张选票" or "份纸质选票汇总", after
    "一"), once its `mark` (回执码 or 校验码) matches; a CountError names what failed."""
    if sealing.tracker_for(sealed) != tracker:
        raise CountError(f"表决 {ballot.id} 有一{what}的{mark}与密封内容不符")
    try:
        return json.loads(sealing.unseal(private, ballot.id, sealed))
    except (sealing.SealError, ValueError) as error:
        raise CountError(f"表决 {ballot.id} 有一{what}无法解开：{error}") from error


def count_ballot(ballot: Ballot) -> dict:
    """The tally sheet of API.md (without its signature), computed from the stored
    sealed ballots and the frozen rule through `voting.rules.tally`."""
    items = list(ballot.items)
    choices_allowed = accepted_options(ballot)
    counts = {str(item.id): {choice: 0 for choice in choices_allowed} for item in items}
    channels = {"tablet": 0, "paper": 0}
    invalid = 0
    for channel, is_invalid, choices in unsealed_casts(ballot):
        channels[channel] += 1
        if is_invalid:
            invalid += 1
            continue
        for key, choice in choices.items():
            if key not in counts or choice not in counts[key]:
                raise CountError(f"表决 {ballot.id} 有一张选票的内容与表决项目不符")
            counts[key][choice] += 1
    if ballot.with_tellers:
        # The tablet casts, opened only as sums by k tellers (voting.tellers.tally).
        try:
            electronic, accepted = tellers.decrypted_counts(ballot)
        except tellers.DecryptionFailed as error:
            raise CountError(str(error)) from error
        # A cast accepted and then failing its proof check was cast, and is invalid (无效票).
        failed = tellers.rejected_trackers(ballot.id)[1]
        channels["tablet"] += accepted + failed
        invalid += failed
        for key, choices in electronic.items():
            for choice, number in choices.items():
                counts[key][choice] += number
    trackers = channels["tablet"] + channels["paper"]
    # Paper ballots the tellers counted by hand and entered as totals (voting.ballots.paper).
    invalid += add_paper_counts(ballot, counts, channels)
    cast = channels["tablet"] + channels["paper"]
    rule = rule_from_json(ballot.kind, ballot.rule)
    result = tally(ballot.kind, rule, counts=counts, total=ballot.total or 0, issued=ballot.issued or 0,
                   cast=cast, invalid=invalid, seats=ballot.seats, options=ballot.options)
    sheet_items = []
    for item in items:
        key = str(item.id)
        decided = result.items.get(key)
        entry = {"id": key, "title": item.title, "counts": counts[key],
                 "outcome": decided.outcome if decided else VOID_OUTCOME,
                 "outcome_text": OUTCOME_NAMES.get(decided.outcome) if decided else "表决无效，须重新表决",
                 "rate": decided.to_json()["rate"] if decided else None,
                 "rank": decided.rank if decided else None}
        if decided and ballot.kind == APPRAISAL:
            for name in ("verdict", "score", "grade"):
                value = decided.to_json()[name]
                if value is not None:
                    entry[name] = value
        sheet_items.append(entry)
    meeting = ballot.meeting
    return {
        "ballot": {
            "id": str(ballot.id), "title": ballot.title, "kind": ballot.kind, "round": ballot.round,
            "parent_id": str(ballot.parent_id) if ballot.parent_id else None, "seats": ballot.seats,
            "secret": bool(ballot.secret), "options": ballot.options,
            "meeting": {"id": str(meeting.id), "name": meeting.name},
            "body": meeting.body.name if meeting.body else None,
            "opened_at": _iso(ballot.opened_at),
        },
        "total": ballot.total or 0,
        "issued": result.issued,
        "cast": result.cast,
        "not_voted": result.not_voted,
        "valid": result.valid,
        "invalid": result.invalid,
        "void": result.void,
        "items": sheet_items,
        "runoff": {"items": list(result.runoff_items), "seats": result.runoff_seats} if result.runoff_items else None,
        "seats_unfilled": result.seats_unfilled,
        "rule": rule.to_json(),
        "rule_text": rule_text(ballot.kind, rule, ballot.seats),
        "channels": channels,
        "encryption": tellers.encryption_summary(ballot),
        "trackers": trackers,
        "closed_at": _iso(ballot.closed_at),
    }


def trackers_digest(ballot_id: int) -> str:
    """SHA-256 (hex) of the ballot's trackers, sorted, each followed by "\n", UTF-8."""
    trackers = sorted(db.session.scalars(select(CastBallot.tracker).where(CastBallot.ballot_id == ballot_id)))
    return hashlib.sha256("".join(tracker + "\n" for tracker in trackers).encode("utf-8")).hexdigest()


def participation_count(ballot_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Participation).where(
        Participation.ballot_id == ballot_id)) or 0


def integrity_block(ballot_id: int, *, audit_head: str) -> dict:
    """What a signed sheet pins beyond its figures (issue #19): the audit chain's head
    when the ballot closed (the ballot_closed entry chains onto it), the digest of the
    sorted trackers (the receipts deputies hold) and the number of participations. A
    database writer who swaps ballots, adds a participation or rewrites the chain no
    longer matches the signature; `flask verify` recomputes all three."""
    return {"audit_head": audit_head, "trackers_sha256": trackers_digest(ballot_id),
            "participations": participation_count(ballot_id)}


def counted_part(sheet: dict) -> dict:
    """What `count_ballot` makes of a sheet: all but its signature and integrity block,
    so a recount compares equal to it."""
    return {key: value for key, value in sheet.items() if key not in ("signature", "integrity")}


def sheet_digest(sheet: dict) -> str:
    """SHA-256 of the signed part of a sheet, recorded in the audit chain at close."""
    return hashlib.sha256(canonical_json({k: v for k, v in sheet.items() if k != "signature"})).hexdigest()


# --- paper totals (entered by the tellers in voting.ballots.paper) ---------------------

def unsealed_paper_counts(ballot: Ballot):
    """(ballots, invalid, counts) of every counted batch, unsealed with the ballot's
    private key; CountError when one does not open or was altered."""
    rows = list(db.session.execute(select(PaperCount.sealed, PaperCount.tracker, PaperCount.ballots)
                                   .where(PaperCount.ballot_id == ballot.id).order_by(PaperCount.id)))
    if not rows:
        return
    private = sealing.unwrap_private_key(ballot.id, ballot.wrapped_private_key)
    for sealed, tracker, ballots in rows:
        content = _opened(private, ballot, sealed, tracker, "份纸质选票汇总", "校验码")
        if content.get("ballots") != ballots:
            raise CountError(f"表决 {ballot.id} 有一份纸质选票汇总的张数与密封内容不符")
        yield ballots, content["invalid"], content["counts"]


def add_paper_counts(ballot: Ballot, counts: dict, channels: dict) -> int:
    """Add every counted batch to `counts` (item → choice
    → n) and to `channels["paper"]`; return the invalid ballots they hold."""
    invalid = 0
    for ballots, batch_invalid, batch_counts in unsealed_paper_counts(ballot):
        channels["paper"] += ballots
        invalid += batch_invalid
        for key, choices in batch_counts.items():
            for choice, number in choices.items():
                if key not in counts or choice not in counts[key]:
                    raise CountError(f"表决 {ballot.id} 有一份纸质选票汇总的内容与表决项目不符")
                counts[key][choice] += number
    return invalid
