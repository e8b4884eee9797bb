"""GET /api/v1/openapi.json: the OpenAPI 3 document of the API as built.

Each endpoint's module adds its operations to `PATHS` with `document(...)`; a test
checks that every /api/v1 route of the app appears here and nothing else does.
"""
from flask import jsonify

from voting.api.blueprint import bp

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }
    },
}

PATHS: dict[str, dict] = {}


def document(path: str, method: str, *, summary: str, responses: dict, request: dict | None = None,
             auth: bool = True, parameters: list | None = None, extra_headers: list | None = None,
             request_required: bool = True) -> None:
    """Register one operation. `responses` maps status -> (description, schema or None)."""
    operation = {"summary": summary, "responses": {}}
    for status, (description, schema) in responses.items():
        entry = {"description": description}
        if schema is not None:
            entry["content"] = {"application/json": {"schema": schema}}
        operation["responses"][str(status)] = entry
    for status in (400, 401, 403, 404, 409, 413, 422, 429):
        operation["responses"].setdefault(
            str(status), {"description": "错误", "content": {"application/json": {"schema": ERROR_SCHEMA}}}
        )
    if request is not None:
        operation["requestBody"] = {"required": request_required, "content": {"application/json": {"schema": request}}}
    params = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _path_params(path)
    ] + (parameters or []) + (extra_headers or [])
    if params:
        operation["parameters"] = params
    operation["security"] = [{"bearer": []}] if auth else []
    PATHS.setdefault(path, {})[method.lower()] = operation


def _path_params(path: str) -> list[str]:
    import re

    return re.findall(r"{(\w+)}", path)


def spec() -> dict:
    return {
        "openapi": "3.0.3",
        "info": {"title": "民生实事票决与测评系统 API", "version": "1"},
        "servers": [{"url": "/api/v1"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": ERROR_SCHEMA},
        },
        "paths": dict(sorted(PATHS.items())),
    }


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(spec())


TOKEN_RESPONSE = {
    "type": "object",
    "required": ["token", "role", "expires_at"],
    "properties": {
        "token": {"type": "string"},
        "role": {"type": "string", "enum": ["admin", "secretariat", "teller", "leader", "deputy", "station", "department"]},
        "expires_at": {"type": "string"},
    },
}

document("/openapi.json", "get", summary="本 API 的 OpenAPI 文档", auth=False,
         responses={200: ("OpenAPI 3 文档", {"type": "object"})})
document("/auth/token", "post", summary="登录：工作人员用户名密码，或代表登录卡", auth=False,
         request={"type": "object", "properties": {
             "username": {"type": "string"}, "password": {"type": "string"}, "card": {"type": "string"}}},
         responses={200: ("令牌", TOKEN_RESPONSE)})
document("/auth/revoke", "post", summary="作废当前令牌",
         responses={200: ("已作废", {"type": "object", "properties": {"revoked": {"type": "boolean"}}})})
