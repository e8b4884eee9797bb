"""The JSON error of API.md: `{"error": {"code", "message"}}` with its HTTP status.
A service refusal (voting.errors.Refusal) is mapped to it in voting/web.py."""
from flask import jsonify, request
from werkzeug.exceptions import HTTPException

DEFAULT_CODES = {
    400: ("bad_request", "请求格式不正确。"),
    401: ("unauthorized", "请先登录，或令牌无效、已过期。"),
    403: ("forbidden", "您的角色无权执行此操作。"),
    404: ("not_found", "未找到该对象。"),
    405: ("method_not_allowed", "不支持该请求方法。"),
    409: ("conflict", "当前状态不允许此操作。"),
    413: ("too_large", "提交的内容过大。"),
    415: ("unsupported_media_type", "不支持的内容类型，请使用 JSON。"),
    422: ("unprocessable", "提交的内容不符合规则。"),
    429: ("rate_limited", "请求过于频繁，请稍后再试。"),
    500: ("internal_error", "服务器内部错误，请联系管理员。"),
    503: ("service_unavailable", "服务器繁忙，请稍后重试；投票会自动重试，不会重复计票。"),
}


def error_response(status: int, code: str | None = None, message: str | None = None):
    default_code, default_message = DEFAULT_CODES.get(status, ("error", "请求失败。"))
    response = jsonify({"error": {"code": code or default_code, "message": message or default_message}})
    response.status_code = status
    return response


def wants_json() -> bool:
    return request.path.startswith("/api/")


def handle_http_exception_as_json(error: HTTPException):
    status = error.code or 500
    response = error_response(status)
    if status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response
