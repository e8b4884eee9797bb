"""Similar proposals from an index, not a scan (issue #21).

A city's congress gathers 30,000 proposals a year; scoring every one of them on each
screening page and each keystroke of the public form grew with the pile. Instead:

- `index_proposals` writes, in the proposal's own transaction, one `ProposalGram` row
  per distinct bigram of its title and description (`similarity.bigrams`, each cut to
  MAX_GRAM characters) and adds one to each bigram's `GramCount` for the body.
- A lookup reads the counts of the query's bigrams and takes them rarest first until
  ROW_BUDGET index rows would be read (always at least one): a bigram found in
  thousands of proposals ("尽快") says little and costs much. The proposals sharing
  the most of the chosen bigrams, at most CANDIDATES of them, are then scored exactly
  as before (Dice over the whole bigram sets, `voting.collection.similarity`).

Below ROW_BUDGET (a county's few hundred proposals) every bigram is read and every
proposal sharing one is scored, so the hints are those of the full scan. Above it, a
proposal sharing only very common bigrams with the query is not considered; its Dice
score would be low anyway.
"""
from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from voting.collection import similarity
from voting.collection.models import GramCount, Proposal, ProposalGram
from voting.extensions import db

MAX_GRAM = 32
ROW_BUDGET = 8000
CANDIDATES = 200


def _keys(text: str) -> set[str]:
    return {gram[:MAX_GRAM] for gram in similarity.bigrams(text)}


def index_proposals(ids) -> None:
    """Index these proposals (just written, not yet indexed) in the caller's transaction."""
    ids = list(ids)
    if not ids:
        return
    rows, counts = [], Counter()
    for proposal_id, body_id, title, description in db.session.execute(
            select(Proposal.id, Proposal.body_id, Proposal.title, Proposal.description)
            .where(Proposal.id.in_(ids))):
        in_title = _keys(title)
        for gram in in_title | _keys(title + description):
            rows.append({"body_id": body_id, "gram": gram, "proposal_id": proposal_id, "in_title": gram in in_title})
            counts[(body_id, gram)] += 1
    if not rows:
        return
    db.session.execute(ProposalGram.__table__.insert(), rows)
    insert = postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(GramCount.__table__)
    statement = statement.on_conflict_do_update(
        index_elements=["body_id", "gram"], set_={"proposals": GramCount.__table__.c.proposals
                                                  + statement.excluded.proposals})
    # sorted: concurrent writers take the rows' locks in one order (no deadlock on PostgreSQL)
    db.session.execute(statement, [{"body_id": body_id, "gram": gram, "proposals": n}
                                   for (body_id, gram), n in sorted(counts.items())])


def candidate_ids(body_id: int, text: str, *, title_only: bool = False, exclude: int | None = None) -> list[int]:
    """Ids of the proposals of the body most likely to resemble `text`, best first."""
    keys = sorted(_keys(text))
    if not keys:
        return []
    counts = dict(db.session.execute(select(GramCount.gram, GramCount.proposals).where(
        GramCount.body_id == body_id, GramCount.gram.in_(keys))).all())
    chosen, budget = [], 0
    for gram in sorted((gram for gram in keys if counts.get(gram)), key=lambda gram: (counts[gram], gram)):
        if chosen and budget + counts[gram] > ROW_BUDGET:
            break
        chosen.append(gram)
        budget += counts[gram]
    if not chosen:
        return []
    query = select(ProposalGram.proposal_id).where(ProposalGram.body_id == body_id, ProposalGram.gram.in_(chosen))
    if title_only:
        query = query.where(ProposalGram.in_title.is_(True))
    if exclude is not None:
        query = query.where(ProposalGram.proposal_id != exclude)
    shared = func.count()
    query = query.group_by(ProposalGram.proposal_id).order_by(shared.desc(), ProposalGram.proposal_id) \
        .limit(CANDIDATES)
    return list(db.session.scalars(query))
