"""What a tally sheet (计票单) says, read from the one stored, signed sheet JSON.

Every format (the A4 page, PDF, XLSX, CSV) is drawn from `sheet_view(sheet)`, so
they cannot disagree with each other or with `GET /api/v1/ballots/<id>/tally`:
nothing here counts, it only labels and formats the stored figures. Rates are
exact fractions ("p/q") in the sheet and become percentages here, for display
only: two decimals, half-up (`voting.rules.percent_text`).
"""
from dataclasses import dataclass, field

from voting.integrity import keys
from voting.localtime import local_text
from voting.ballots.models import KIND_LABELS
from voting.rules import OPTION_NAMES, percent_text
from voting.rules.errors import RuleError
from voting.rules.exact import rounded_half_up, stored_fraction
from voting.rules.rates import unreduced_rate_text

RATE_LABELS = {"selection": "得票率", "motion": "得票率", "appraisal": "满意率"}
# China keeps one time zone; sheets are read in the hall, so print Beijing time.
SIGNATORIES = ("总监票人", "监票人", "监票人")
EMPTY = "—"

# The reconciliation lines of every sheet, in the order they are printed.
FIGURES = (
    ("total", "应到（全体代表）"),
    ("issued", "实到（发出票数）"),
    ("cast", "收回票数"),
    ("not_voted", "未投票数"),
    ("valid", "有效票数"),
    ("invalid", "无效票数"),
)
CHANNELS = (("tablet", "平板表决"), ("paper", "纸质选票"))


class SheetUnreadable(Exception):
    """The stored sheet is not a tally sheet any more (damaged or tampered with)."""


@dataclass
class ItemRow:
    id: str
    title: str
    counts: list[int]
    rate: str | None
    rate_text: str
    rank: int | None
    outcome: str
    outcome_text: str
    verdict_text: str = ""
    score: str | None = None
    score_text: str = ""
    grade: str = ""
    rate_exact: str = ""  # as counted, unreduced: "18/30"


@dataclass
class SheetView:
    ballot_id: str
    title: str
    kind: str
    kind_label: str
    meeting: str
    body: str
    round: int
    seats: int | None
    secret: bool
    opened_at: str
    closed_at: str
    date: str
    figures: list[tuple[str, str, int]]
    channels: list[tuple[str, str, int]]
    columns: list[tuple[str, str]]
    rate_label: str
    items: list[ItemRow]
    rule_text: str
    void: bool
    runoff_text: str
    seats_unfilled: int
    trackers: int
    public_key: str
    signature: str
    fingerprint: str
    # the signed integrity block (issue #19); EMPTY on a sheet signed before it existed
    audit_head: str = EMPTY
    trackers_sha256: str = EMPTY
    participations: str = EMPTY
    show_verdict: bool = False
    show_score: bool = False
    notes: list[str] = field(default_factory=list)
    secrecy: str = ""

    @property
    def heading(self) -> str:
        return f"{self.title} 计票单"

    def figure(self, key: str) -> int:
        return next(value for name, _, value in self.figures if name == key)


def local_time(iso: str | None, with_time: bool = True) -> str:
    """"2026-11-23T06:00:00Z" → "2026-11-23 14:00" (the display zone, voting.localtime)."""
    if not iso:
        return EMPTY
    return local_text(iso, "%Y-%m-%d %H:%M" if with_time else "%Y年%m月%d日")


def rate_percent(rate: str | None) -> str:
    return percent_text(stored_fraction(rate)) if rate else EMPTY


def score_text(score: str | None) -> str:
    return rounded_half_up(stored_fraction(score), 2) if score else EMPTY


def _columns(sheet: dict) -> list[tuple[str, str]]:
    """The choices counted on this ballot, in the ballot's order, abstain last."""
    options = list(sheet["ballot"].get("options") or [])
    present = []
    for item in sheet["items"]:
        for choice in item["counts"]:
            if choice not in present:
                present.append(choice)
    ordered = [o for o in options if o in present] + [c for c in present if c not in options]
    return [(choice, OPTION_NAMES.get(choice, choice)) for choice in ordered]


def _exact_rate(sheet: dict, item: dict) -> str:
    """"18/30" for a rate the sheet stores reduced ("3/5"); the stored text when
    the sheet's rule cannot be read back."""
    if not item.get("rate"):
        return ""
    try:
        return unreduced_rate_text(sheet["ballot"]["kind"], sheet.get("rule"), sheet, item["counts"]) or item["rate"]
    except RuleError:
        return str(item["rate"])


def _row(item: dict, columns, sheet: dict | None = None) -> ItemRow:
    rank = item.get("rank")
    return ItemRow(
        id=str(item["id"]),
        title=str(item["title"]),
        counts=[int(item["counts"].get(choice, 0)) for choice, _ in columns],
        rate=item.get("rate"),
        rate_text=rate_percent(item.get("rate")),
        rank=int(rank) if rank is not None else None,
        outcome=str(item["outcome"]),
        outcome_text=str(item.get("outcome_text") or item["outcome"]),
        verdict_text=OPTION_NAMES.get(item.get("verdict"), item.get("verdict") or ""),
        score=item.get("score"),
        score_text=score_text(item.get("score")) if item.get("score") else "",
        grade=item.get("grade") or "",
        rate_exact=_exact_rate(sheet, item) if sheet is not None else str(item.get("rate") or ""),
    )


def _runoff_text(sheet: dict, titles: dict) -> str:
    runoff = sheet.get("runoff")
    if not runoff:
        return ""
    names = "、".join(titles.get(str(key), str(key)) for key in runoff["items"])
    return f"得票相等：{names} 须再次投票，决定剩余 {runoff['seats']} 个名额。"


def sheet_view(sheet: dict) -> SheetView:
    """The printable reading of a stored sheet; SheetUnreadable when it is not one."""
    try:
        return _sheet_view(sheet)
    except (KeyError, TypeError, ValueError, AttributeError, StopIteration) as error:
        raise SheetUnreadable("计票单内容已损坏，无法显示。") from error


def _sheet_view(sheet: dict) -> SheetView:
    ballot = sheet["ballot"]
    columns = _columns(sheet)
    items = [_row(item, columns, sheet) for item in sheet["items"]]
    titles = {row.id: row.title for row in items}
    signature = sheet.get("signature") or {}
    public_key = signature.get("public_key") or ""
    channels = sheet.get("channels") or {"tablet": sheet["cast"], "paper": 0}
    channel_rows = [(key, label, int(channels.get(key, 0))) for key, label in CHANNELS]
    channel_rows.append(("sum", "合计", sum(value for _, _, value in channel_rows)))
    kind = ballot["kind"]
    view = SheetView(
        ballot_id=str(ballot["id"]),
        title=str(ballot["title"]),
        kind=kind,
        kind_label=KIND_LABELS.get(kind, kind),
        meeting=str((ballot.get("meeting") or {}).get("name") or ""),
        body=str(ballot.get("body") or ""),
        round=int(ballot.get("round") or 1),
        seats=ballot.get("seats"),
        secret=bool(ballot.get("secret", True)),
        opened_at=local_time(ballot.get("opened_at")),
        closed_at=local_time(sheet.get("closed_at")),
        date=local_time(sheet.get("closed_at") or ballot.get("opened_at"), with_time=False),
        figures=[(key, label, int(sheet[key])) for key, label in FIGURES],
        channels=channel_rows,
        columns=columns,
        rate_label=RATE_LABELS.get(kind, "比率"),
        items=items,
        rule_text=str(sheet.get("rule_text") or ""),
        void=bool(sheet.get("void")),
        runoff_text=_runoff_text(sheet, titles),
        seats_unfilled=int(sheet.get("seats_unfilled") or 0),
        trackers=int(sheet.get("trackers", sheet["cast"])),
        public_key=public_key,
        signature=str(signature.get("value") or ""),
        fingerprint=keys.fingerprint(public_key) if public_key else EMPTY,
        audit_head=str((sheet.get("integrity") or {}).get("audit_head") or EMPTY),
        trackers_sha256=str((sheet.get("integrity") or {}).get("trackers_sha256") or EMPTY),
        participations=str((sheet.get("integrity") or {}).get("participations", EMPTY)),
        show_verdict=any(row.verdict_text for row in items),
        show_score=any(row.score for row in items),
    )
    view.secrecy = secrecy_text(sheet.get("encryption"))
    if view.void:
        view.notes.append("收回票数多于发出票数，本次表决无效，须重新表决。")
    if view.runoff_text:
        view.notes.append(view.runoff_text)
    if view.seats_unfilled:
        view.notes.append(f"尚有 {view.seats_unfilled} 个名额未选出。")
    return view


def secrecy_text(block) -> str:
    """How the ballot was kept secret and counted, from the sheet's `encryption` block
    (docs/BOARD.md); empty for a sheet signed before sheets said so."""
    if not isinstance(block, dict):
        return ""
    if block.get("mode") != "tellers":
        return "选票以本系统安装密钥密封计票（本次会议未指定监票人）。"
    return (f"选票以监票人门限密钥加密（{block.get('tellers')} 位监票人，任意 {block.get('threshold')} 位可解密），"
            f"只解密合计、不解开任何一张选票：平板加密 {block.get('encrypted_on_device')} 张，"
            f"服务器代为加密 {block.get('encrypted_by_server')} 张，证明未通过而拒收 {block.get('rejected')} 张；"
            f"由第 {'、'.join(str(p) for p in block.get('decrypted_by') or [])} 号监票人解密。公开核验板可供任何人核验。")


def table_header(view: SheetView) -> list[str]:
    """The item table's column titles, shared by every format."""
    header = ["序号", "项目"] + [label for _, label in view.columns]
    if view.show_score:
        header += ["得分", "等次"]
    else:
        header.append(view.rate_label)
    if view.show_verdict:
        header.append("评议结论")
    header += ["名次", "结果"]
    return header


def table_rows(view: SheetView) -> list[list]:
    """The item table as values: counts as ints, the rest as display text."""
    rows = []
    for number, row in enumerate(view.items, start=1):
        values = [number, row.title, *row.counts]
        if view.show_score:
            values += [row.score_text or EMPTY, row.grade or EMPTY]
        else:
            values.append(row.rate_text)
        if view.show_verdict:
            values.append(row.verdict_text or EMPTY)
        values += [row.rank if row.rank is not None else EMPTY, row.outcome_text]
        rows.append(values)
    return rows


def header_lines(view: SheetView) -> list[tuple[str, str]]:
    """The header block: what was voted, where, when, under which rule."""
    lines = [("人大机构", view.body), ("会议", view.meeting), ("表决事项", view.title),
             ("表决类型", view.kind_label), ("轮次", f"第 {view.round} 轮")]
    if view.seats is not None:
        lines.append(("应选数", str(view.seats)))
    lines += [("表决方式", "无记名" if view.secret else "记名"), ("开始时间", view.opened_at),
              ("结束时间", view.closed_at), ("计票规则", view.rule_text)]
    return lines
