"""Checking what people type: titles, texts, codes; nothing stored here."""
import re
import unicodedata


from voting.errors import invalid
from voting.collection.models import CATEGORIES


TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
TRACKING_PREFIX = "MS"
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,31}$")
MAX_PHOTOS = 3
DEFAULT_PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_TYPES = {"JPEG": ("image/jpeg", "jpg", b"\xff\xd8\xff"), "PNG": ("image/png", "png", b"\x89PNG\r\n\x1a\n")}
_FORBIDDEN_FORMAT = {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"}


def clean_text(value, label: str, *, required: bool, min_length: int = 0, max_length: int,
               multiline: bool = False) -> tuple[str, str | None]:
    """(cleaned value, problem or None). Control characters are refused, not stripped,
    so that what is stored is exactly what the person saw."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        return "", f"“{label}”必须是文本。"
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n")).strip()
    if not value:
        return "", f"请填写“{label}”。" if required else None
    for char in value:
        if char in _FORBIDDEN_FORMAT or (unicodedata.category(char) == "Cc" and not (multiline and char in "\n\t")):
            return "", f"“{label}”含有不允许的控制字符。"
    if len(value) < min_length:
        return "", f"“{label}”至少需要 {min_length} 个字。"
    if len(value) > max_length:
        return "", f"“{label}”不能超过 {max_length} 个字（现有 {len(value)} 个）。"
    return value, None


PROPOSAL_FIELDS = {
    # name: (label, required, min, max, multiline)
    "title": ("标题", True, 4, 60, False),
    "description": ("具体内容", True, 10, 2000, True),
    "township": ("乡镇（街道）", False, 0, 60, False),
    "location": ("具体地点", False, 0, 200, False),
    "contact": ("联系方式", False, 0, 100, False),
    "proposer": ("提出人", False, 0, 120, False),
}


def validate_proposal(data: dict) -> dict:
    """The cleaned fields of a proposal, or a Refusal listing every problem."""
    cleaned, errors = {}, {}
    for name, (label, required, low, high, multiline) in PROPOSAL_FIELDS.items():
        value, problem = clean_text(data.get(name), label, required=required, min_length=low,
                                    max_length=high, multiline=multiline)
        if problem:
            errors[name] = problem
        cleaned[name] = value
    category = data.get("category")
    if not isinstance(category, str) or category.strip() not in CATEGORIES:
        errors["category"] = "请从列表中选择类别：" + "、".join(CATEGORIES) + "。"
    else:
        cleaned["category"] = category.strip()
    if errors:
        raise invalid(errors, "invalid_proposal")
    return cleaned
