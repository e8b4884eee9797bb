"""The similarity index (issue #21) finds what the full scan found, and the candidate
page lists a large shortlist in pages it can render."""
import random

from sqlalchemy import select

from bench.collection import proposal_text
from tests.collection.conftest import submit
from voting.collection import candidates, search, services, similarity
from voting.collection.models import GramCount, Proposal, ProposalGram
from voting.extensions import db


def _full_scan(proposal: Proposal, limit: int = 8) -> list[int]:
    """Today's definition, over every proposal of the body."""
    title_grams = similarity.bigrams(proposal.title)
    full_grams = similarity.bigrams(proposal.title + proposal.description)
    scored = []
    for other in db.session.scalars(select(Proposal).where(Proposal.body_id == proposal.body_id,
                                                            Proposal.id != proposal.id)):
        score = max(similarity.dice(title_grams, similarity.bigrams(other.title)),
                    similarity.dice(full_grams, similarity.bigrams(other.title + other.description)))
        if score >= 0.2:
            scored.append((score, other.id))
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return [other_id for _, other_id in scored[:limit]]


def _fill(station, count: int, seed: int = 5) -> list[Proposal]:
    rng = random.Random(seed)
    made = []
    for _ in range(count):
        township, title, description = proposal_text(rng)
        made.append(submit(station, title=title, description=description))
    return made


def test_the_index_finds_what_the_full_scan_found(app, station):
    made = _fill(station, 60)
    for proposal in made[::6]:
        assert [other.id for _, other in services.similar_proposals(proposal)] == _full_scan(proposal)
    # the title hints: the same titles as scoring every live proposal's title
    for proposal in made[::10]:
        query = proposal.title[:8]
        rows = db.session.execute(select(Proposal.title, Proposal.description).order_by(Proposal.id)).all()
        expected = []
        for _, row in similarity.rank(query, rows, key=lambda row: row.title, threshold=0.3, limit=10):
            if row.title not in expected:
                expected.append(row.title)
        assert services.similar_titles(station.body_id, query) == expected[:5]


def test_each_submission_is_indexed_in_its_own_transaction(app, station):
    proposal = submit(station, title="城东新建一所公办幼儿园", description="孩子入园难，希望新建一所公办幼儿园。")
    grams = set(db.session.scalars(select(ProposalGram.gram).where(ProposalGram.proposal_id == proposal.id)))
    assert grams == similarity.bigrams(proposal.title + proposal.description) | similarity.bigrams(proposal.title)
    assert db.session.get(GramCount, (station.body_id, "幼儿")).proposals == 1
    submit(station, title="城东幼儿园学位不足", description="学位不足，希望尽快扩建幼儿园。")
    assert db.session.get(GramCount, (station.body_id, "幼儿")).proposals == 2


def test_common_bigrams_are_read_last_within_the_row_budget(app, station, monkeypatch):
    """Above the budget the rarest bigrams are read: a proposal sharing only a common
    bigram with the query is no candidate, one sharing the rare bigram is."""
    common = [submit(station, title=f"道路维修第{n}处", description="路面破损严重，影响车辆通行。") for n in range(6)]
    rare = submit(station, title="道路加装无障碍坡道", description="轮椅无法通行，残障人士出行不便。")
    monkeypatch.setattr(search, "ROW_BUDGET", 3)
    ids = search.candidate_ids(station.body_id, "道路无障碍", title_only=True)
    assert ids == [rare.id]
    monkeypatch.setattr(search, "ROW_BUDGET", 8000)
    ids = search.candidate_ids(station.body_id, "道路无障碍", title_only=True)
    assert ids[0] == rare.id and set(ids) == {rare.id} | {p.id for p in common}


def test_a_large_shortlist_is_listed_newest_first_with_a_search(app, secretariat_client, station, monkeypatch):
    monkeypatch.setattr(candidates, "SHORTLIST_SHOWN", 3)
    made = [services.change_status(submit(station, title=f"城东幼儿园扩建第{n}期"), "shortlisted", "test")
            for n in range(5)]
    page = secretariat_client.get("/collection/candidates").get_data(as_text=True)
    assert "共有 5 条" in page and 'id="shortlist-search"' in page
    listed = [p.id for p in made if f'name="proposal_ids" value="{p.id}"' in page]
    assert listed == [p.id for p in made[-3:]]
    page = secretariat_client.get("/collection/candidates?shortlist_q=第1期").get_data(as_text=True)
    assert f'name="proposal_ids" value="{made[1].id}"' in page
    assert f'name="proposal_ids" value="{made[4].id}"' not in page


def test_a_searched_list_counts_in_the_same_pass(app, station):
    made = [submit(station, title=f"城东幼儿园扩建第{n}期") for n in range(5)] + [submit(station, title="修缮北关路路灯")]
    query = services.proposal_query(station.body_id, {"q": "扩建第"})
    rows, total = services.proposal_page(query, 1, 2, searching=True)
    assert total == 5 and [p.id for p in rows] == [made[4].id, made[3].id]
    rows, total = services.proposal_page(query, 3, 2, searching=True)
    assert total == 5 and [p.id for p in rows] == [made[0].id]
    rows, total = services.proposal_page(query, 9, 2, searching=True)  # past the end: counted anyway
    assert total == 5 and rows == []
