"""Supervision endpoint of API.md: GET /api/v1/projects, public, no login."""

from flask import jsonify, request

from voting.localtime import local_today
from voting.accounts.models import Body
from voting.api.blueprint import bp
from voting.errors import Refusal
from voting.inputlimits import id_from
from voting.api.openapi import document
from voting.extensions import db
from voting.tracking import services


def _query_id(name: str, label: str) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    found = id_from(raw)
    if found is None:
        raise Refusal(400, "bad_request", f"查询参数“{label}”不是合法的数字。")
    return found


@bp.get("/projects")
def list_projects():
    body_id = _query_id("body", "body")
    year = _query_id("year", "year")
    if body_id is not None and db.session.get(Body, body_id) is None:
        raise Refusal(404, "not_found", "没有这个人大机构。")
    today = local_today()
    projects = services.public_projects(body_id, year)
    return jsonify({"projects": [services.project_summary(p, today) for p in projects]})


PROJECT_SCHEMA = {
    "type": "object",
    "required": ["id", "title", "department", "status", "progress", "year"],
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "department": {"type": "string"},
        "status": {"type": "string", "enum": ["not_started", "in_progress", "completed", "delayed"]},
        "status_text": {"type": "string"},
        "progress": {"type": "integer", "minimum": 0, "maximum": 100},
        "year": {"type": "integer"},
        "body_id": {"type": "string"},
        "budget": {"type": "string", "nullable": True, "description": "预算（万元）"},
        "planned_completion": {"type": "string", "format": "date", "nullable": True},
    },
}

document("/projects", "get", summary="民生实事项目进度公示：已公布的项目票决中当选的项目", auth=False,
         parameters=[
             {"name": "body", "in": "query", "required": False, "schema": {"type": "string"},
              "description": "只看某个人大机构的项目（机构编号）"},
             {"name": "year", "in": "query", "required": False, "schema": {"type": "integer"},
              "description": "只看某一年度的项目"},
         ],
         responses={200: ("项目及其进度", {"type": "object", "required": ["projects"], "properties": {
             "projects": {"type": "array", "items": PROJECT_SCHEMA}}})})
