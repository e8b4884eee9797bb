"""A ballot's heading names its round once: a runoff's title already carries it."""
import pytest

from voting.ballots.models import Ballot


@pytest.mark.parametrize("title, round_, want", [
    ("民生实事项目票决", 1, "民生实事项目票决"),
    ("民生实事项目票决（第2轮）", 2, "民生实事项目票决（第2轮）"),
    ("民生实事项目票决", 3, "民生实事项目票决（第3轮）"),
])
def test_heading(title, round_, want):
    assert Ballot(title=title, round=round_).heading == want
