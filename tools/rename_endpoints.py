"""Rename the endpoints and page addresses that moved when each domain got one name
for its package, blueprint, templates and URL prefix (issue #16).

    .venv/bin/python tools/rename_endpoints.py           # rewrite in place
    .venv/bin/python tools/rename_endpoints.py --check   # list what would change, exit 1 if any

Run it again after merging a branch written against the old names: it rewrites every
quoted old endpoint name ("collect.intake", 'stations.stations', in url_for, absolute_url,
test tables...) in voting/, templates/, tests/ and bench/, and, in tests/ and bench/, the
old page addresses (/collect/..., /projects..., /ballots/<id>/sheet, /ballots/<id>/paper...)
that now only redirect (voting/moved.py). It is idempotent. Only whole quoted names are
rewritten, so permission names such as "stations.read" are left alone. A file containing
the marker `rename_endpoints: keep` (the redirect tests) keeps its old addresses.
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

INTAKE = ["intake", "intake_submit", "qr", "similar", "deputy_intake", "deputy_intake_submit", "deputy_qr",
          "deputy_similar", "done", "query"]
STATIONS = ["stations", "create_station", "edit_station", "import_stations", "station_template",
            "station_poster", "create_deputy_code", "deputy_poster"]

ENDPOINTS = {
    **{f"collect.{name}": f"collection.intake.{name}" for name in INTAKE},
    **{f"stations.{name}": f"collection.stations.{name}" for name in STATIONS},
}

# Old page addresses inside string literals: right after the quote, or after a scheme and
# host ("http://192.168.1.20:8000/collect/DH-01", what a QR code holds).
START = r"""(["']|https?://[^/"'\s]+)"""
ADDRESSES = [
    # /collect never was an API path, so also after an f-string's {server address}.
    (re.compile(r"""(["'}]|https?://[^/"'\s]+)/collect/"""), r"\1/collection/intake/"),
    # Not an OpenAPI path of the JSON API (spec["paths"]["/projects"]), which does not move.
    (re.compile(r"""(?<!"paths"\]\[)""" + START + r"""/projects(?=[/?#"'])"""), r"\1/tracking/public"),
    # An id, or an f-string's {expression}; a plain "/ballots/{bid}/paper" is an OpenAPI
    # path of the JSON API (relative to /api/v1), which does not move.
    (re.compile(START + r"""/ballots/(\d+)/sheet(?=[?#"'])"""), r"\1/sheets/\2"),
    (re.compile(r"""(f["'])/ballots/(\{[^}\n]+\})/sheet(?=[?#"'])"""), r"\1/sheets/\2"),
    (re.compile(START + r"""/ballots/(\d+)/paper(?=[/?#"'])"""), r"\1/sheets/\2/paper"),
    (re.compile(r"""(f["'])/ballots/(\{[^}\n]+\})/paper(?=[/?#"'])"""), r"\1/sheets/\2/paper"),
]
KEEP = "rename_endpoints: keep"

ENDPOINT_PATTERN = re.compile(r"""(["'])(%s)\1""" % "|".join(re.escape(name) for name in ENDPOINTS))


def rewrite(text: str, addresses: bool) -> str:
    text = ENDPOINT_PATTERN.sub(lambda m: m.group(1) + ENDPOINTS[m.group(2)] + m.group(1), text)
    if addresses and KEEP not in text:
        for pattern, replacement in ADDRESSES:
            text = pattern.sub(replacement, text)
    return text


def files():
    for folder, suffixes, addresses in (("voting", {".py"}, False), ("templates", {".html", ".js"}, False),
                                        ("tests", {".py"}, True), ("bench", {".py"}, True)):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in suffixes and "migrations" not in path.parts:
                yield path, addresses


def main(argv: list[str]) -> int:
    check = "--check" in argv
    changed = []
    for path, addresses in files():
        text = path.read_text(encoding="utf-8")
        new = rewrite(text, addresses)
        if new != text:
            changed.append(path.relative_to(ROOT))
            if not check:
                path.write_text(new, encoding="utf-8")
    for path in changed:
        print(("would rewrite " if check else "rewrote ") + str(path))
    return 1 if check and changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
