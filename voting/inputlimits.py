"""Limits on what a request may carry, applied once for the whole app, so that no input
reaches a view in a shape that would end in a 500:

- Integers in URL paths (`<int:...>`) are at most MAX_ID = 2**31 - 1, the largest id
  both databases store (ids are INTEGER, 32 bits on PostgreSQL); a larger number is a
  404 like any unknown id, never a query PostgreSQL refuses.
- JSON bodies (`StrictJSONProvider`, used by request.get_json and api.parsing.json_body):
  at most MAX_DEPTH levels of nesting, integers within 64 bits, no string with a lone
  surrogate ("\\ud800" cannot be stored as UTF-8). A body breaking one of these raises
  `UnsafeJSON`, a ValueError, with the Chinese message the API returns (400 bad_request).
"""
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1
MAX_JSON_INT = 2**63 - 1
MAX_DEPTH = 32


class BoundedIntConverter(IntegerConverter):
    """`<int:x>` that never hands a view an id the database cannot hold."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def id_from(value) -> int | None:
    """The id a path, query or JSON value names (digits or an int, 0..MAX_ID), or None
    when it names none: callers turn None into their 404 or 400."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        if not (value.isascii() and value.isdigit()) or len(value) > 10:
            return None
        value = int(value)
    if isinstance(value, int) and 0 <= value <= MAX_ID:
        return value
    return None


def small_int(text, digits: int = 9) -> int | None:
    """A non-negative number typed in a form or query (a year, seats, a percentage, a
    weight): ASCII digits only, at most `digits` of them, else None. str.isdigit() alone
    lets "²" through to int(), which raises: every such field goes through here."""
    text = str(text if text is not None else "").strip()
    if not text or len(text) > digits or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


class UnsafeJSON(ValueError):
    pass


NUL_MESSAGE = "提交的内容包含不允许的控制字符。"


def _bounded_int(digits: str) -> int:
    # at most 19 digits and a sign: Python never builds a huge int from a hostile body
    if len(digits.lstrip("-")) > 19 or not -MAX_JSON_INT - 1 <= int(digits) <= MAX_JSON_INT:
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
        if "\x00" in value:  # PostgreSQL text cannot hold NUL; no legitimate input has one
            raise UnsafeJSON(NUL_MESSAGE)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check(key, depth + 1)
            _check(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check(item, depth + 1)


def _plain_text(text) -> bool:
    """True when the JSON text itself shows that no string it holds has NUL or a lone
    surrogate: valid UTF-8 (as str: encodable) with no \\u escape and no NUL. A raw
    control character inside a string is already refused by the parser (strict), so
    such strings are the text's own characters. Then only the nesting needs a walk, and
    a cast's 40 KB of hex strings (issue #17) is not visited string by string."""
    if isinstance(text, (bytes, bytearray)):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            return False
    else:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return False
    return "\\u" not in text and "\x00" not in text


def _nesting(value) -> None:
    """The depth limit of `_check`, exactly (a member of a container at depth d is at
    d + 1, so a container at MAX_DEPTH must be empty), visiting containers only, level by
    level: a cast's hundreds of small lists cost no call each."""
    level, depth = ([value] if isinstance(value, (dict, list)) else []), 0
    while level:
        following = []
        for container in level:
            if container and depth >= MAX_DEPTH:
                raise UnsafeJSON(f"提交的内容嵌套过深（最多 {MAX_DEPTH} 层）。")
            following += [item for item in (container.values() if isinstance(container, dict) else container)
                          if isinstance(item, (dict, list))]
        level, depth = following, depth + 1


class StrictJSONProvider(DefaultJSONProvider):
    def loads(self, s, **kwargs):
        kwargs.setdefault("parse_int", _bounded_int)
        kwargs.setdefault("parse_float", _bounded_float)
        kwargs.setdefault("parse_constant", _no_constant)
        try:
            value = super().loads(s, **kwargs)
        except RecursionError:
            raise UnsafeJSON(f"提交的内容嵌套过深（最多 {MAX_DEPTH} 层）。") from None
        if _plain_text(s):
            _nesting(value)  # no string can hold NUL or a lone surrogate: only the depth is left
        else:
            _check(value)
        return value


def _no_constant(name: str):
    raise UnsafeJSON("提交的数字无效（不接受 NaN 或 Infinity）。")


def install(app) -> None:
    """Before any blueprint is registered: the converter applies to rules as they are added."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.json = StrictJSONProvider(app)
