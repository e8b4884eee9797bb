"""Errors the meeting and ballot services raise.

`VotingError` carries what an `ApiError` carries (HTTP status, code, Chinese
message); an app-wide handler (voting/api/meetings.py) answers it exactly like an
ApiError: JSON under /api/, a Chinese error page elsewhere. A browser page can also
catch it and flash `error.message`. It does not subclass ApiError only because the
services must not import the API package (that would be an import cycle).
"""


class VotingError(Exception):
    """A refused action: nothing was stored."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


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
