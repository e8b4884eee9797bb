"""Append to and check the hash-chained audit log.

entry_hash = SHA-256 of the canonical JSON {prev, at, actor, action, subject, details,
body_id}; mac = HMAC-SHA256(mac.key, "voting-audit-v1" NUL entry_hash), so that an
entry changed, inserted or re-chained by someone without the key fails check_chain."""
import hashlib
import json

from sqlalchemy import select, text

from voting.accounts.models import utcnow
from voting.extensions import db
from voting.integrity import keys
from voting.integrity.canonical import canonical_json
from voting.integrity.models import AuditEntry

MAC_DOMAIN = b"voting-audit-v1"

GENESIS = "0" * 64
_PG_AUDIT_LOCK = 7_311_001  # advisory lock id that serializes appends on PostgreSQL


def _entry_digest(prev_hash: str, at: str, actor: str, action: str, subject: str, details: str, body_id) -> str:
    content = canonical_json(
        {"prev": prev_hash, "at": at, "actor": actor, "action": action,
         "subject": subject, "details": details, "body_id": body_id}
    )
    return hashlib.sha256(content).hexdigest()


def _hold_the_chain() -> None:
    """On PostgreSQL, one writer at a time appends (an advisory lock to the end of the
    transaction, taken again harmlessly); SQLite's writes are serialized already."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_AUDIT_LOCK})


def head() -> str:
    """The hash of the newest entry (GENESIS for an empty log): what the next entry
    chains onto. The chain is held to the end of the transaction, so the caller's next
    `record` chains onto exactly this head."""
    _hold_the_chain()
    return db.session.execute(select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)).scalar() \
        or GENESIS


def record(action: str, *, actor: str = "", subject: str = "", details: dict | None = None,
           body_id: int | None = None) -> AuditEntry:
    """Add an entry in the caller's transaction (the caller commits)."""
    session = db.session
    prev_hash = head()
    at = utcnow().isoformat(timespec="seconds")
    details_text = json.dumps(details or {}, ensure_ascii=False, sort_keys=True)
    entry_hash = _entry_digest(prev_hash, at, actor, action, subject, details_text, body_id)
    entry = AuditEntry(
        body_id=body_id, at=at, actor=actor, action=action, subject=subject,
        details=details_text, prev_hash=prev_hash, entry_hash=entry_hash,
        mac=entry_mac(entry_hash),
    )
    session.add(entry)
    session.flush()
    return entry


def entry_mac(entry_hash: str) -> str:
    return keys.mac(MAC_DOMAIN, entry_hash.encode("ascii"))


def entry_holds(entry: AuditEntry) -> bool:
    """The entry's hash is the digest of its own content (the chain link aside)."""
    return entry.entry_hash == _entry_digest(entry.prev_hash, entry.at, entry.actor, entry.action,
                                             entry.subject, entry.details, entry.body_id)


def check_chain() -> list[str]:
    """Return the problems found in the chain (empty when it holds)."""
    problems, prev = [], GENESIS
    for entry in db.session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars():
        if entry.prev_hash != prev:
            problems.append(f"审计日志第 {entry.id} 条的前序哈希不符")
        expected = _entry_digest(entry.prev_hash, entry.at, entry.actor, entry.action,
                                 entry.subject, entry.details, entry.body_id)
        if expected != entry.entry_hash:
            problems.append(f"审计日志第 {entry.id} 条的内容被改动")
        elif not keys.mac_matches(MAC_DOMAIN, entry.entry_hash.encode("ascii"), entry.mac):
            problems.append(f"审计日志第 {entry.id} 条没有本系统密钥的认证码：它不是本系统写入的，或被改写过")
        prev = entry.entry_hash
    return problems
