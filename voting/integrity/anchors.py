"""anchors.log: what a database writer cannot take back.

Every close and publish of a ballot appends one line to `<KEY_DIR>/anchors.log`
(instance/ by default, next to the keys and outside the database), after the change
committed. A line is the canonical JSON of

    {"event": "closed" | "counted" | "published", "ballot": <id>, "audit": <entry_hash of
     the ballot_closed / ballot_counted / ballot_published entry>, "sheet_sha256": <sheets
     only>, "sums_sha256": <the encrypted sums of a ballot under tellers, at close>,
     "at": <UTC ISO time>, "mac": HMAC-SHA256(mac.key, "voting-anchor-v1" NUL <the same
     canonical JSON without "mac">)}

`flask verify` (`check`) then requires, for every line: a valid MAC; the audit entry
it names still in the log; for "closed" (and "counted", when k tellers decrypted a
ballot under tellers), the ballot closed or published with a stored sheet of that
digest, or for a "closed" of a ballot under tellers the encrypted sums of that digest; for "published", the ballot still published. So a writer who
sets a ballot back to open, deletes its sheet and the audit entries after it, and
rebuilds the chain, is caught: the line outlives the rows. The file belongs to its
database: a fresh database starts a fresh file (`make clean-db` removes both).
"""
import json
import os
from pathlib import Path

from flask import current_app

from voting.accounts.models import utcnow
from voting.integrity import keys
from voting.integrity.canonical import canonical_json

FILE = "anchors.log"
MAC_DOMAIN = b"voting-anchor-v1"


def path() -> Path:
    return Path(current_app.config["KEY_DIR"]) / FILE


def append(event: str, ballot_id: int, audit_hash: str, **extra) -> None:
    line = {"event": event, "ballot": ballot_id, "audit": audit_hash,
            "at": utcnow().isoformat(timespec="seconds"), **extra}
    line["mac"] = keys.mac(MAC_DOMAIN, canonical_json(line))
    target = path()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, canonical_json(line) + b"\n")  # one write: lines of concurrent workers never mix
        os.fsync(fd)
    finally:
        os.close(fd)


def read() -> tuple[list[dict], list[str]]:
    """(the lines whose MAC holds, problems)."""
    target = path()
    if not target.exists():
        return [], []
    lines, problems = [], []
    for number, raw in enumerate(target.read_bytes().splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
            claimed = line.pop("mac")
        except (ValueError, KeyError, AttributeError, TypeError):
            problems.append(f"锚点记录第 {number} 行无法读取")
            continue
        if not keys.mac_matches(MAC_DOMAIN, canonical_json(line), claimed):
            problems.append(f"锚点记录第 {number} 行的认证码不符：它被改动过，或不是本系统写入的")
            continue
        lines.append(line)
    return lines, problems


def recorded(event: str, ballot_id: int) -> bool:
    """Whether a line with a valid MAC records `event` for the ballot (a ballot is
    closed once: close_ballot refuses a second close)."""
    lines, _problems = read()
    return any(line.get("event") == event and line.get("ballot") == ballot_id for line in lines)
