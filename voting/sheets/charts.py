"""Charts of a tally sheet as inline SVG, drawn on the server (no JS library, no CDN).

- selection / motion: one bar per item, its yes votes (赞成票), scaled to the
  deputies seated (应到) so that the bars of different ballots compare;
- appraisal: one stacked bar per item, its votes split by option (满意 / 基本满意 /
  不满意 / …), each bar the item's votes as 100%.

Both take a `SheetView` (voting.sheets.render), i.e. the stored sheet's figures.
"""
from html import escape

from markupsafe import Markup

from voting.rules import percent_text
from voting.rules.exact import ratio

ROW = 44
LABEL_WIDTH = 270
BAR_WIDTH = 470
TAIL = 110
FONT = 21
OPTION_COLOURS = {
    "satisfied": "#1b7f3b",
    "basically_satisfied": "#7cb342",
    "unsatisfied": "#b71c1c",
    "abstain": "#9e9e9e",
    "unknown": "#cfcfd4",
    "yes": "#1b7f3b",
    "no": "#b71c1c",
}
FALLBACK_COLOURS = ("#1d4ed8", "#a65f00", "#6a1b9a", "#00838f", "#5d4037")
HIGHLIGHT = {"selected": "#b71c1c", "passed": "#b71c1c"}


def _short(label: str, limit: int = 12) -> str:
    return label if len(label) <= limit else label[:limit - 1] + "…"


def _svg_open(width: int, height: int, title: str) -> list[str]:
    return [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'width="100%" role="img" aria-label="{escape(title)}">', f"<title>{escape(title)}</title>"]


def yes_chart(view) -> Markup:
    """赞成票 per item; items that were selected or passed are drawn in red."""
    title = f"{view.title}：各项赞成票"
    index = next((i for i, (choice, _) in enumerate(view.columns) if choice == "yes"), None)
    rows = [(row.title, row.counts[index] if index is not None else 0, row.outcome) for row in view.items]
    scale = max([view.figure("total")] + [count for _, count, _ in rows]) or 1
    width, height = LABEL_WIDTH + BAR_WIDTH + TAIL, len(rows) * ROW + 44
    parts = _svg_open(width, height, title)
    for number, (label, count, outcome) in enumerate(rows):
        y = number * ROW + 6
        length = round(BAR_WIDTH * count / scale)
        colour = HIGHLIGHT.get(outcome, "#8d99ae")
        parts.append(
            f'<g><title>{escape(label)}：赞成 {count} 票</title>'
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 28}" text-anchor="end" font-size="{FONT}" fill="#1d1d1f">'
            f'{escape(_short(label))}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 6}" width="{length}" height="{ROW - 14}" rx="4" fill="{colour}"></rect>'
            f'<text x="{LABEL_WIDTH + length + 8}" y="{y + 28}" font-size="{FONT}" fill="#1d1d1f">{count}</text></g>')
    axis_y = len(rows) * ROW + 10
    parts.append(f'<line x1="{LABEL_WIDTH}" y1="{axis_y}" x2="{LABEL_WIDTH + BAR_WIDTH}" y2="{axis_y}" '
                 f'stroke="#5f6368" stroke-width="1"></line>')
    parts.append(f'<text x="{LABEL_WIDTH}" y="{axis_y + 24}" font-size="18" fill="#5f6368">0</text>'
                 f'<text x="{LABEL_WIDTH + BAR_WIDTH}" y="{axis_y + 24}" text-anchor="end" font-size="18" '
                 f'fill="#5f6368">{scale}（应到）</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def option_colour(choice: str, position: int) -> str:
    return OPTION_COLOURS.get(choice) or FALLBACK_COLOURS[position % len(FALLBACK_COLOURS)]


def satisfaction_chart(view) -> Markup:
    """Stacked bars: each item's votes split by option, as shares of the item's votes."""
    title = f"{view.title}：各项测评意见分布"
    legend_height = 40
    width, height = LABEL_WIDTH + BAR_WIDTH + TAIL, len(view.items) * ROW + legend_height + 6
    parts = _svg_open(width, height, title)
    x = LABEL_WIDTH
    for position, (choice, label) in enumerate(view.columns):
        parts.append(f'<rect x="{x}" y="8" width="20" height="20" fill="{option_colour(choice, position)}"></rect>'
                     f'<text x="{x + 26}" y="25" font-size="18" fill="#1d1d1f">{escape(label)}</text>')
        x += 26 + 19 * len(label) + 22
    for number, row in enumerate(view.items):
        y = legend_height + number * ROW
        total = sum(row.counts)
        parts.append(f'<g><title>{escape(row.title)}：'
                     + "，".join(f"{label} {count}" for (_, label), count in zip(view.columns, row.counts))
                     + f'</title><text x="{LABEL_WIDTH - 8}" y="{y + 28}" text-anchor="end" font-size="{FONT}" '
                     f'fill="#1d1d1f">{escape(_short(row.title))}</text>')
        left = 0
        for position, ((choice, label), count) in enumerate(zip(view.columns, row.counts)):
            if not total or not count:
                continue
            start = round(BAR_WIDTH * ratio(left, total))
            end = round(BAR_WIDTH * ratio(left + count, total))
            left += count
            share = percent_text(ratio(count, total))
            parts.append(f'<rect x="{LABEL_WIDTH + start}" y="{y + 6}" width="{end - start}" height="{ROW - 14}" '
                         f'fill="{option_colour(choice, position)}"><title>{escape(label)} {count}（{share}）</title></rect>')
        if not total:
            parts.append(f'<text x="{LABEL_WIDTH}" y="{y + 28}" font-size="18" fill="#5f6368">无有效票</text>')
        parts.append(f'<text x="{LABEL_WIDTH + BAR_WIDTH + 8}" y="{y + 28}" font-size="18" fill="#1d1d1f">'
                     f'{escape(row.rate_text if not row.score else row.score_text)}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))


def sheet_chart(view) -> Markup:
    """The chart that suits the ballot's kind."""
    if view.kind == "appraisal":
        return satisfaction_chart(view)
    return yes_chart(view)
