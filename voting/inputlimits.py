"""Limits on what a request may carry, applied once for the whole app, so that no input
reaches a view in a shape that would end in a 500:

- Integers in URL paths (`<int:...>`) are at most 2**63 - 1, the largest id the
  databases store (BIGINT); a longer number is a 404 like any unknown id.
- JSON bodies (`StrictJSONProvider`, used by request.get_json and api.parsing.json_body):
  at most MAX_DEPTH levels of nesting, integers within 64 bits, no string with a lone
  surrogate ("\\ud800" cannot be stored as UTF-8). A body breaking one of these raises
  `UnsafeJSON`, a ValueError, with the Chinese message the API returns (400 bad_request).
"""
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter

MAX_ID = 2**63 - 1
MAX_DEPTH = 32


class BoundedIntConverter(IntegerConverter):
    """`<int:x>` that never hands a view an id the database cannot hold."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


class UnsafeJSON(ValueError):
    pass


def _bounded_int(digits: str) -> int:
    # at most 19 digits and a sign: Python never builds a huge int from a hostile body
    if len(digits.lstrip("-")) > 19 or not -MAX_ID - 1 <= int(digits) <= MAX_ID:
        raise UnsafeJSON("提交的数字超出允许范围。")
    return int(digits)


def _bounded_float(text: str) -> float:
    if len(text) > 64:
        raise UnsafeJSON("提交的数字超出允许范围。")
    return float(text)


def _check(value, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise UnsafeJSON(f"提交的内容嵌套过深（最多 {MAX_DEPTH} 层）。")
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise UnsafeJSON("提交的内容包含无效的字符编码（孤立的代理字符），请检查后重新提交。") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _check(key, depth + 1)
            _check(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check(item, depth + 1)


class StrictJSONProvider(DefaultJSONProvider):
    def loads(self, s, **kwargs):
        kwargs.setdefault("parse_int", _bounded_int)
        kwargs.setdefault("parse_float", _bounded_float)
        kwargs.setdefault("parse_constant", _no_constant)
        try:
            value = super().loads(s, **kwargs)
        except RecursionError:
            raise UnsafeJSON(f"提交的内容嵌套过深（最多 {MAX_DEPTH} 层）。") from None
        _check(value)
        return value


def _no_constant(name: str):
    raise UnsafeJSON("提交的数字无效（不接受 NaN 或 Infinity）。")


def install(app) -> None:
    """Before any blueprint is registered: the converter applies to rules as they are added."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.json = StrictJSONProvider(app)
