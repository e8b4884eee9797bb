"""The console's ballot editor: reading its form into the arguments of
`services.create_ballot`, and the rule in plain Chinese for the preview.

Blank rule fields mean the defaults of RULES.md; the service validates everything
again, so this module only turns form text into the API's shapes."""
import re

from voting.inputlimits import small_int
from voting.errors import Refusal
from voting.rules import APPRAISAL, DEFAULT_APPRAISAL_OPTIONS, DEFAULT_OPTIONS, KINDS, OPTION_NAMES, SELECTION, RuleError, rule_from_json, rule_text
from voting.rules.forms import appraisal_rule, threshold_fields, weighted_rule

APPRAISAL_OPTIONS = list(DEFAULT_OPTIONS[APPRAISAL])
DEFAULT_APPRAISAL_CHOICE = list(DEFAULT_APPRAISAL_OPTIONS)
KIND_CHOICES = [("selection", "项目票决（差额，有应选数）"), ("motion", "表决（逐项通过或不通过）"),
                ("appraisal", "满意度测评 / 述职评议")]
MODE_CHOICES = [("rate", "满意率（默认 80%）"), ("graded", "满意 / 基本满意 / 不满意等次"),
                ("weighted", "加权计分（述职评议）")]
BASE_CHOICES = [("", "默认"), ("all", "全体代表"), ("present", "出席代表"), ("cast", "收回票"),
                ("valid", "有效票"), ("item_valid", "该项有效票"), ("item_cast", "该项投票")]
ITEM_SEPARATOR = re.compile(r"\s*[|｜]\s*")
PAIR = re.compile(r"^(.+?)\s*[=＝:：]\s*(.+)$")
OPTION_BY_LABEL = {label: option for option, label in OPTION_NAMES.items()}


def _bad(message: str) -> Refusal:
    return Refusal(400, "bad_request", message)


def items_from_text(text: str) -> list[dict]:
    """One item a line: `名称` or `名称｜说明`."""
    items = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = ITEM_SEPARATOR.split(line.strip(), maxsplit=1)
        items.append({"title": parts[0], "description": parts[1] if len(parts) > 1 else ""})
    return items


def _seats(raw: str, kind: str):
    if kind != SELECTION:
        return None
    raw = (raw or "").strip()
    if small_int(raw) is None:
        raise _bad("请填写应选项目数（正整数）。")
    return small_int(raw)


def _threshold(form) -> dict | None:
    inclusive = form.get("threshold_inclusive", "")
    return threshold_fields(form.get("threshold_fraction"), inclusive if inclusive in ("1", "0") else None,
                            form.get("threshold_base", ""))


def _pairs(text: str, what: str) -> list[tuple[str, str]]:
    pairs = []
    for part in re.split(r"[\s,，;；]+", (text or "").strip()):
        if not part:
            continue
        match = PAIR.match(part)
        if not match:
            raise _bad(f"{what}应写成“名称=数值”，例如 满意=100，收到“{part}”。")
        pairs.append((match.group(1).strip(), match.group(2).strip()))
    return pairs


def _weighted_rule(form) -> dict:
    weights = {OPTION_BY_LABEL.get(name, name): value for name, value in _pairs(form.get("weights", ""), "权重")}
    return weighted_rule(weights, _pairs(form.get("bands", ""), "等次") or None, form.get("below"))


def rule_from_form(form, kind: str) -> dict | None:
    if kind == APPRAISAL:
        mode = form.get("mode") or "rate"
        if mode == "weighted":
            return _weighted_rule(form)
        return appraisal_rule(mode, _threshold(form))
    threshold = _threshold(form)
    return {"threshold": threshold} if threshold else None


def options_from_form(form, kind: str) -> list[str] | None:
    if kind != APPRAISAL:
        return None
    chosen = [option for option in APPRAISAL_OPTIONS if option in form.getlist("options")]
    return chosen or None


def ballot_from_form(form) -> dict:
    """Keyword arguments for `services.create_ballot` from the editor's form."""
    kind = form.get("kind", "")
    if kind not in KINDS:
        raise _bad("请选择表决类型。")
    return {"kind": kind, "title": form.get("title", ""), "items": items_from_text(form.get("items", "")),
            "seats": _seats(form.get("seats", ""), kind), "secret": form.get("secret") == "1",
            "rule": rule_from_form(form, kind), "options": options_from_form(form, kind),
            "rehearsal": form.get("rehearsal") == "1", "duration_seconds": _duration(form.get("duration_minutes", ""))}


def _duration(raw: str) -> int | None:
    """The preset voting time, typed in minutes (may be a decimal, e.g. 1.5); blank for none."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        seconds = round(float(raw) * 60)
    except ValueError:
        raise _bad("表决限时请填写分钟数，例如 3 或 1.5；不限时请留空。")
    if not 1 <= seconds <= 24 * 3600:
        raise _bad("表决限时须在1秒到24小时之间。")
    return seconds


def rule_preview(form) -> str:
    """The rule the form describes, in the words of the tally sheet."""
    kind = form.get("kind", "")
    if kind not in KINDS:
        raise _bad("请选择表决类型。")
    seats_text = (form.get("seats") or "").strip()
    seats = small_int(seats_text) if kind == SELECTION else None
    try:
        rule = rule_from_json(kind, rule_from_form(form, kind))
    except RuleError as error:
        raise _bad(f"规则有误：{error}")
    return rule_text(kind, rule, seats)
