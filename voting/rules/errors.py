"""The two errors the rules engine raises, kept apart so callers can map them.

`RuleError` means the rule or the figures handed in are wrong (a programming or
configuration mistake); `ChoiceError` means one voter's cast is not acceptable and
the voter should be told why. Both carry a Chinese message fit for a screen.
"""


class RuleError(ValueError):
    """A rule, a set of figures or a set of counts that cannot be counted."""


class ChoiceError(ValueError):
    """One cast refused at cast time; `code` is stable, `message` is for the voter."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message
