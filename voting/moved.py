"""Addresses that moved when each domain got one URL prefix (issue #16).

The pages API.md names keep being served at their own addresses, not redirected (a
client that does not follow redirects must still get the page): GET and POST
/collect/<code>, GET /collect/<code>/qr.png, GET /projects (`promised_pages`). A station's QR
code holds /collect/<code>, as API.md says. Every other old address is a permanent
redirect: people bookmark the tally sheets and the public project pages.

GET and HEAD answer 301; any other method 308, so a form posted to an old address is
posted again, with its body, to the new one (CSRF token included: the old address checks
it like any form target). The query string goes along.
"""
from urllib.parse import quote

from flask import Flask, redirect, request

REDIRECT_METHODS = ["GET", "POST"]

# (endpoint, old rule, new path with the old rule's arguments in braces)
MOVED = [
    ("moved_intake", "/collect/<path:rest>", "/collection/intake/{rest}"),
    # one-segment pages that /collect/<code> (promised_pages) would otherwise take for a station code
    ("moved_intake_query", "/collect/query", "/collection/intake/query"),
    ("moved_intake_done", "/collect/done", "/collection/intake/done"),
    ("moved_public_project_pages", "/projects/<path:rest>", "/tracking/public/{rest}"),
    ("moved_sheet", "/ballots/<int:bid>/sheet", "/sheets/{bid}"),
    ("moved_paper", "/ballots/<int:bid>/paper", "/sheets/{bid}/paper"),
    ("moved_paper_actions", "/ballots/<int:bid>/paper/<path:rest>", "/sheets/{bid}/paper/{rest}"),
]


def promised_pages() -> list:
    """(endpoint of its own, address API.md names, the page's view, method): the same view
    served at the promised address; `promised.intake` is what a station's QR code holds."""
    from voting.collection import intake_pages
    from voting.tracking import views as tracking

    return [
        ("promised.intake", "/collect/<code>", intake_pages.intake, "GET"),
        ("promised.intake_submit", "/collect/<code>", intake_pages.intake_submit, "POST"),
        ("promised.intake_qr", "/collect/<code>/qr.png", intake_pages.qr, "GET"),
        ("promised.public_projects", "/projects", tracking.public_projects, "GET"),
    ]


def register_moved(app: Flask) -> None:
    """The promised addresses, then the redirects."""
    for endpoint, rule, view, method in promised_pages():
        app.add_url_rule(rule, endpoint=endpoint, view_func=view, methods=[method])
    for endpoint, rule, target in MOVED:
        app.add_url_rule(rule, endpoint=endpoint, view_func=_redirect_to(target), methods=REDIRECT_METHODS)


def _redirect_to(target: str):
    def moved_view(**arguments):
        return _moved(target, arguments)

    return moved_view


def _moved(target: str, arguments: dict):
    location = target.format(**{name: quote(str(value), safe="/") for name, value in arguments.items()})
    if request.query_string:
        location += "?" + request.query_string.decode("latin-1")
    return redirect(location, code=301 if request.method in ("GET", "HEAD") else 308)
