"""Sittings for the sheet and paper tests: tablets and paper ballots side by side."""
import re
from fractions import Fraction
from html import unescape

from tests.ballots.sitting import Sitting


class MixedSitting(Sitting):
    """A Sitting with a teller, who issues and enters paper ballots through the API."""

    def __init__(self, api, staff, size: int = 8, **extra):
        super().__init__(api, staff, size=size, **extra)
        self.teller = api.token(staff["teller"].username)

    def issue(self, bid: str, index: int, expect: int = 200):
        response = self.api.post(f"/api/v1/ballots/{bid}/paper/issue", self.teller,
                                 json={"deputy_id": self.deputies[index]["id"]})
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    def enter(self, bid: str, choices: dict, expect: int = 201):
        response = self.api.post(f"/api/v1/ballots/{bid}/paper/ballots", self.teller, json={"choices": choices})
        assert response.status_code == expect, response.get_json()
        return response.get_json()


def closed_selection(api, staff) -> tuple[MixedSitting, str, list[str]]:
    """8 deputies, 7 present; 4 candidates for 2 seats; 5 tablet votes, 2 paper
    ballots (one with too many yes: invalid); closed. Returns (sitting, bid, item ids)."""
    s = MixedSitting(api, staff, size=8)
    s.check_in(range(7))
    ballot = s.ballot(items=4, seats=2)
    bid, ids = ballot["id"], [item["id"] for item in ballot["items"]]
    s.act(bid, "open")
    s.issue(bid, 5)
    s.issue(bid, 6)
    tablet = [{0: "yes", 1: "yes"}, {0: "yes", 2: "yes"}, {0: "yes", 1: "no"}, {0: "yes", 1: "yes"},
              {0: "no", 3: "yes"}]
    for index, marks in enumerate(tablet):
        response = s.vote(index, bid, {ids[i]: c for i, c in marks.items()})
        assert response.status_code == 201, response.get_json()
    assert s.enter(bid, {ids[0]: "yes", ids[1]: "yes", ids[2]: "no"})["invalid"] is False
    assert s.enter(bid, {ids[0]: "yes", ids[1]: "yes", ids[2]: "yes"})["invalid"] is True
    s.act(bid, "close")
    return s, bid, ids


def closed_ballot(api, staff, kind: str, votes: list[dict], size: int = 6, present: int = 6, **extra):
    """A tablet-only ballot of `kind`: votes[i] maps item positions to choices."""
    s = MixedSitting(api, staff, size=size)
    s.check_in(range(present))
    ballot = s.ballot(kind=kind, items=max([3] + [max(v, default=0) + 1 for v in votes]), **extra)
    bid, ids = ballot["id"], [item["id"] for item in ballot["items"]]
    s.act(bid, "open")
    for index, marks in enumerate(votes):
        response = s.vote(index, bid, {ids[i]: c for i, c in marks.items()})
        assert response.status_code == 201, response.get_json()
    s.act(bid, "close")
    return s, bid, ids


def percent(rate: str | None) -> str:
    from voting.rules import percent_text

    return percent_text(Fraction(rate)) if rate else "—"


def cells(html: str, attribute: str) -> dict[str, str]:
    """{value of `attribute`: text} for every `<td attribute="…">text</td>`."""
    pattern = re.compile(rf'<td[^>]*\b{attribute}="([^"]+)"[^>]*>(.*?)</td>', re.S)
    return {key: unescape(re.sub(r"<[^>]+>", "", text)).strip() for key, text in pattern.findall(html)}


def item_rows(html: str) -> dict[str, str]:
    """{item id: the row's HTML} of the sheet's item table."""
    return dict(re.findall(r'<tr data-item="([^"]+)"[^>]*>(.*?)</tr>', html, re.S))
