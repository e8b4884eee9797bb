"""The one refusal: an action refused with an HTTP status, an API.md error code and a
Chinese message, nothing stored. Services raise it; voting/web.py maps it once to the
JSON error of API.md (under /api/) and once to the error page (everywhere else). A
browser view that re-renders its form catches it and shows `field_messages()`.

This module imports nothing from Flask, so every layer (rules aside) may raise it.
"""


class Refusal(Exception):
    """A refused action: nothing was stored. `errors` maps a form field (or a line) to
    its message when the refusal is about particular fields."""

    def __init__(self, status: int, code: str, message: str, errors: dict | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = dict(errors or {})

    def field_messages(self) -> dict:
        """Messages per form field; a refusal without fields goes under "_"."""
        return self.errors or {"_": self.message}


class RosterError(Refusal):
    """A roster import with bad rows; `problems` lists (line number, message), which the
    roster page and the API answer line by line."""

    def __init__(self, problems: list[tuple[int, str]]):
        self.problems = problems
        shown = "；".join(f"第{line}行：{message}" for line, message in problems[:20])
        more = f"；另有{len(problems) - 20}处错误" if len(problems) > 20 else ""
        super().__init__(400, "invalid_roster", f"名单有误，未导入任何代表。{shown}{more}。")


def invalid(errors: dict, code: str = "invalid_input") -> Refusal:
    """Input that breaks a rule (400); `errors` maps each field to its message."""
    return Refusal(400, code, "；".join(str(value) for value in errors.values()), errors)


def not_found(what: str = "对象") -> Refusal:
    return Refusal(404, "not_found", f"未找到该{what}。")


def invalid_transition(message: str) -> Refusal:
    return Refusal(409, "invalid_transition", message)
