"""Files people upload (proposal and project photos, re-report attachments): where they
live (UPLOAD_DIR, outside static/) and how one is written: a random name, created
exclusively, readable by the service only; the caller adds its row and, when its
transaction fails, removes what it wrote (`remove`)."""
import hashlib
import os
import secrets
from contextlib import contextmanager
from pathlib import Path

from flask import current_app

from voting.errors import invalid
from voting.extensions import db


def upload_dir() -> Path:
    configured = current_app.config.get("UPLOAD_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


def check_size(data: bytes, label: str, limit: int, field: str, code: str, advice: str = "") -> None:
    """Refuse an empty file, or one over `limit` bytes (`advice` follows the size)."""
    if not data:
        raise invalid({field: f"{label}是空文件。"}, code)
    if len(data) > limit:
        raise invalid({field: f"{label}超过 {limit // (1024 * 1024)} MB{advice}。"}, code)


def write_new_file(folder: Path, extension: str, data: bytes) -> tuple[str, Path]:
    """Write `data` as a new file in `folder`; (stored name, path)."""
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{extension}"
    path = folder / name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return name, path


def facts(data: bytes) -> dict:
    """The row's record of a file: its size and SHA-256."""
    return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def remove(paths) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


@contextmanager
def files_of_the_transaction():
    """`with files_of_the_transaction() as written:` put each path written into
    `written`; when anything in the block raises (the commit included), the session is
    rolled back and the files are removed: a refusal leaves neither a row nor a file."""
    written: list[Path] = []
    try:
        yield written
    except BaseException:
        db.session.rollback()
        remove(written)
        raise
