"""Addresses that moved when each domain got one URL prefix (issue #16), kept as
permanent redirects: /collect/<code> is printed on station posters and QR codes, and
people bookmark /projects and the tally sheets.

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
    ("moved_public_projects", "/projects", "/tracking/public"),
    ("moved_public_project_pages", "/projects/<path:rest>", "/tracking/public/{rest}"),
    ("moved_sheet", "/ballots/<int:bid>/sheet", "/sheets/{bid}"),
    ("moved_paper", "/ballots/<int:bid>/paper", "/sheets/{bid}/paper"),
    ("moved_paper_actions", "/ballots/<int:bid>/paper/<path:rest>", "/sheets/{bid}/paper/{rest}"),
]


def register_moved(app: Flask) -> None:
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
