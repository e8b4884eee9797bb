"""Photos sent with a proposal: checked by content (Pillow), size-limited, stored outside static/."""
import io
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from voting.errors import invalid
from voting.uploads import check_size, upload_dir
from voting.collection.models import ProposalPhoto
from voting.collection.texts import DEFAULT_PHOTO_MAX_BYTES, PHOTO_TYPES


@dataclass
class CheckedPhoto:
    data: bytes
    content_type: str
    extension: str


def photo_max_bytes() -> int:
    return int(current_app.config.get("PHOTO_MAX_BYTES") or DEFAULT_PHOTO_MAX_BYTES)


def check_photo(data: bytes, name: str = "") -> CheckedPhoto:
    """Accept JPEG and PNG only, judged by content (magic bytes and Pillow), not by name."""
    label = f"照片“{name}”" if name else "照片"
    limit = photo_max_bytes()
    check_size(data, label, limit, "photos", "invalid_photo", advice="，请压缩后再上传")
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        kind = None
    if kind not in PHOTO_TYPES or not data.startswith(PHOTO_TYPES[kind][2]):
        raise invalid({"photos": f"{label}不是有效的 JPG 或 PNG 图片。"}, "invalid_photo")
    content_type, extension, _ = PHOTO_TYPES[kind]
    return CheckedPhoto(data, content_type, extension)


def photo_path(photo: ProposalPhoto) -> Path:
    return upload_dir() / "proposals" / photo.stored_name
