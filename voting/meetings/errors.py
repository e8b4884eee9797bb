"""Errors the meeting and ballot services raise.

`VotingError` is an `ApiError`, so the JSON API answers it as it is (status, code,
Chinese message) and a browser page can catch it and flash `error.message`.
"""
from voting.api.errors import ApiError


class VotingError(ApiError):
    """A refused action: nothing was stored."""


class RosterError(VotingError):
    """A roster import with bad rows; `problems` lists (line number, message)."""

    def __init__(self, problems: list[tuple[int, str]]):
        self.problems = problems
        shown = "；".join(f"第{line}行：{message}" for line, message in problems[:20])
        more = f"；另有{len(problems) - 20}处错误" if len(problems) > 20 else ""
        super().__init__(400, "invalid_roster", f"名单有误，未导入任何代表。{shown}{more}。")


def not_found(what: str = "对象") -> VotingError:
    return VotingError(404, "not_found", f"未找到该{what}。")


def invalid_transition(message: str) -> VotingError:
    return VotingError(409, "invalid_transition", message)
