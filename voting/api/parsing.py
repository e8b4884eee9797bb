"""Reading request bodies: every malformed input becomes a 400 Refusal."""
from flask import current_app, request

from voting.errors import Refusal
from voting.inputlimits import UnsafeJSON, id_from


def json_body(required: bool = True) -> dict:
    """The request's JSON object; empty dict when not required and absent."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        if required:
            raise Refusal(400, "bad_request", "请求体不能为空，请提交 JSON 对象。")
        return {}
    data = None
    if request.is_json:
        try:
            data = current_app.json.loads(raw)  # voting.inputlimits.StrictJSONProvider
        except UnsafeJSON as error:
            raise Refusal(400, "bad_request", str(error)) from None
        except ValueError:
            data = None
    if not isinstance(data, dict):
        raise Refusal(400, "bad_request", "请求体必须是合法的 JSON 对象。")
    return data  # no string in it holds NUL: StrictJSONProvider refused that (UnsafeJSON)


def string_field(data: dict, name: str, *, required: bool = True, max_length: int = 200,
                 label: str | None = None) -> str | None:
    value = data.get(name)
    label = label or name
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise Refusal(400, "bad_request", f"缺少字段“{label}”。")
        return None
    if not isinstance(value, str):
        raise Refusal(400, "bad_request", f"字段“{label}”必须是文本。")
    value = value.strip()
    if len(value) > max_length:
        raise Refusal(400, "bad_request", f"字段“{label}”不能超过 {max_length} 个字符。")
    return value


def id_value(value, label: str = "id") -> int:
    """Ids are strings in the API (integers accepted); anything else is a 400."""
    found = id_from(value)
    if found is None:
        raise Refusal(400, "bad_request", f"“{label}”不是合法的编号。")
    return found
