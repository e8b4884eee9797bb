"""The ballots domain's front door: what views, the API and other domains call.

Each room holds one part and is read on its own:
- reading.py    what a meeting, a deputy or a sheet shows
- creating.py   a draft ballot, every field checked
- lifecycle.py  draft → open → closed → published (close counts, signs and anchors)
- casting.py    a tablet's or the API's vote, sealed apart from who cast it
- paper.py      the tellers' side: issuing, entering, counted totals
- counting.py   the tally from the sealed ballots under the frozen rule; the sheet's integrity
- secrecy.py    the storage rewrite at close
- rounds.py     runoffs and re-appraisals

Services take plain values and model objects, raise `Refusal` (status, code, Chinese
message) when they refuse, and commit once when they change something.
"""
from voting.ballots.casting import cast_vote, sealed_length
from voting.ballots.counting import (
    CountError,
    accepted_options,
    count_ballot,
    counted_part,
    integrity_block,
    participation_count,
    sheet_digest,
    trackers_digest,
    unsealed_casts,
)
from voting.ballots.creating import create_ballot, draft_ballot, new_ballot
from voting.ballots.lifecycle import check_before_close, close_ballot, count_with_tellers, open_ballot, publish_ballot
from voting.ballots.paper import issue_paper_ballot, record_paper_ballot
from voting.ballots.reading import (
    ballots_for_deputy,
    ballots_of_meeting,
    deputies_not_voted,
    get_ballot,
    has_voted,
    is_eligible,
    named_votes,
    progress,
    receipts_for,
    stored_sheet,
    tally_for,
)
from voting.ballots.rounds import has_next_round, start_reappraisal, start_runoff
from voting.ballots.secrecy import hide_insertion_order

__all__ = [
    "CountError", "accepted_options", "ballots_for_deputy", "ballots_of_meeting", "cast_vote", "check_before_close",
    "close_ballot", "count_with_tellers",
    "count_ballot", "counted_part", "create_ballot", "draft_ballot", "deputies_not_voted", "get_ballot", "has_next_round",
    "has_voted", "hide_insertion_order", "integrity_block", "is_eligible", "issue_paper_ballot", "named_votes",
    "new_ballot", "open_ballot", "participation_count", "progress", "publish_ballot", "receipts_for",
    "record_paper_ballot", "sealed_length", "sheet_digest", "stored_sheet", "start_reappraisal", "start_runoff",
    "tally_for", "trackers_digest", "unsealed_casts",
]
