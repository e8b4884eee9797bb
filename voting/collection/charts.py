"""Horizontal bar charts as inline SVG, drawn on the server (no JS library)."""
from html import escape

from markupsafe import Markup

ROW_HEIGHT = 34
LABEL_WIDTH = 220
BAR_WIDTH = 520
COUNT_WIDTH = 70


def bar_chart(rows: list[tuple[str, int]], title: str) -> Markup:
    """An accessible SVG: one bar per (label, count), scaled to the largest count."""
    height = max(len(rows), 1) * ROW_HEIGHT + 10
    width = LABEL_WIDTH + BAR_WIDTH + COUNT_WIDTH
    largest = max((count for _, count in rows), default=0) or 1
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    if not rows:
        parts.append(f'<text x="10" y="24" font-size="18" fill="#5f6368">暂无数据</text>')
    for index, (label, count) in enumerate(rows):
        y = index * ROW_HEIGHT + 5
        length = round(BAR_WIDTH * count / largest)
        shown = label if len(label) <= 12 else label[:11] + "…"
        parts.append(
            f'<g><title>{escape(label)}：{count}</title>'
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 22}" text-anchor="end" font-size="17" fill="#1d1d1f">{escape(shown)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{length}" height="{ROW_HEIGHT - 10}" rx="4" fill="#b71c1c"></rect>'
            f'<text x="{LABEL_WIDTH + length + 8}" y="{y + 22}" font-size="17" fill="#1d1d1f">{count}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
