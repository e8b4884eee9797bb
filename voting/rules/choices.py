"""One voter's cast, checked before anything is stored (electronic voting) or
classified as invalid (paper entry)."""
from voting.rules.errors import ChoiceError, RuleError
from voting.rules.model import APPRAISAL, MOTION, SELECTION, require_kind

ABSTAIN = "abstain"
# The options a new ballot gets when none are given (an appraisal may name its own).
YES_NO_OPTIONS = ["yes", "no", "abstain"]
DEFAULT_APPRAISAL_OPTIONS = ["satisfied", "basically_satisfied", "unsatisfied"]

DEFAULT_OPTIONS = {
    SELECTION: ("yes", "no", "abstain"),
    MOTION: ("yes", "no", "abstain"),
    APPRAISAL: ("satisfied", "basically_satisfied", "unsatisfied", "abstain", "unknown"),
}


def accepted_choices(kind: str, options) -> frozenset:
    """The ballot's options plus `abstain`, which is what an unmarked item counts as
    anyway, so marking it explicitly must be allowed too."""
    require_kind(kind)
    if options is None:
        options = DEFAULT_OPTIONS[kind]
    if isinstance(options, str) or not all(isinstance(option, str) and option for option in options):
        raise RuleError("选项必须是非空文字的列表")
    return frozenset(options) | {ABSTAIN}


def check_choices(
    kind: str,
    *,
    item_keys: list[str],
    choices: dict[str, str],
    seats: int | None,
    options: list[str] | None = None,
) -> dict[str, str]:
    """Return the cast completed with `abstain` for every unmarked item, or raise
    ChoiceError (`unknown_item`, `unknown_choice`, `too_many_yes`) with a message
    the voter can act on."""
    accepted = accepted_choices(kind, options)
    known_items = set(item_keys)
    for item_key, choice in choices.items():
        if item_key not in known_items:
            raise ChoiceError("unknown_item", f"选票上没有项目“{item_key}”，请刷新后重新投票。")
        if choice not in accepted:
            raise ChoiceError("unknown_choice", f"项目“{item_key}”的选择“{choice}”无效。")
    completed = {key: choices.get(key, ABSTAIN) for key in item_keys}
    if is_invalid_paper(kind, completed, seats):
        raise ChoiceError(
            "too_many_yes",
            f"赞成票最多只能投{seats}项，您投了{yes_marks(completed)}项，请减少后再提交。",
        )
    return completed


def is_invalid_paper(kind: str, choices: dict[str, str], seats: int | None) -> bool:
    """A selection ballot with more yes marks than seats is invalid (作废)."""
    require_kind(kind)
    if kind != SELECTION:
        return False
    return yes_marks(choices) > require_seats(seats)


def option_limit(kind: str, seats) -> tuple[str, int] | None:
    """(option, n): at most n items of one cast may be marked with option (a selection:
    no more yes than seats), or None. What an encrypted cast proves about itself."""
    require_kind(kind)
    return ("yes", require_seats(seats)) if kind == SELECTION else None


def cast_options(kind: str, options) -> list[str]:
    """The options of one item in a cast, in the ballot's order, abstain last if the
    ballot does not name it: every item of a cast is marked with exactly one."""
    accepted_choices(kind, options)  # checks them
    options = list(DEFAULT_OPTIONS[kind] if options is None else options)
    return options + ([ABSTAIN] if ABSTAIN not in options else [])


def yes_marks(choices: dict) -> int:
    return sum(1 for choice in choices.values() if choice == "yes")


def require_seats(seats) -> int:
    """A selection always knows how many items it is choosing."""
    if isinstance(seats, bool) or not isinstance(seats, int) or seats < 1:
        raise RuleError(f"项目票决必须设定应选项目数（正整数），收到的是 {seats!r}")
    return seats


def most_yes_in_totals(kind: str, seats: int | None, valid: int) -> int | None:
    """The most yes marks `valid` paper ballots can hold when counted as totals: on a
    selection ballot each valid ballot marks at most `seats` items (one with more is
    invalid, 作废); other kinds have no such cap (None)."""
    require_kind(kind)
    return (seats or 0) * valid if kind == SELECTION else None
