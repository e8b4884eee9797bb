"""At close, the ballot's secret rows are rewritten so that their storage order tells
nothing (voting/residue.py)."""
from voting.ballots.models import CastBallot, IdempotencyRecord, Participation
from voting import residue


_REWRITES = (
    (CastBallot.__table__, "id"),
    (Participation.__table__, "deputy_id"),
    (IdempotencyRecord.__table__, "key_hash"),
)


def hide_insertion_order(ballot_id: int) -> None:
    """Rewrite the ballot's cast ballots, participations and idempotency records in
    key order inside the closing transaction (`voting.residue`), so nothing pairs a
    participation with its cast ballot any more."""
    for table, order_column in _REWRITES:
        residue.rewrite_in_key_order(table, table.c.ballot_id == ballot_id, order_column)


def scrub_after_close() -> None:
    residue.scrub([table for table, _ in _REWRITES])
