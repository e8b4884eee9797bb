"""Installation keys, kept in the key folder (instance/ by default, never committed).

- `signing.pem`: the installation's Ed25519 key; it signs tally sheets.
- `kek.bin`: 32 random bytes; the key-encryption key under which each ballot's
  private sealing key is stored.
- `mac.key`: 32 random bytes; the HMAC-SHA256 key that authenticates every audit entry
  and every line of anchors.log (voting/integrity/audit.py, anchors.py), and under
  which card secrets, API tokens and hall-screen tokens are stored (credential_hash). Someone who
  can write the database but does not hold this file cannot make an entry verify.

Keys are created on first use with O_EXCL, so concurrent workers agree on one key.
"""
import base64
import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app

from voting.integrity.canonical import canonical_json
from voting.integrity.sheet_signature import verify_sheet  # noqa: F401  (pure: the verifier uses it too)

SIGNING_FILE = "signing.pem"
KEK_FILE = "kek.bin"
MAC_FILE = "mac.key"
_cache: dict[tuple[str, str], bytes] = {}


def _key_dir() -> Path:
    return Path(current_app.config["KEY_DIR"])


def _read_or_create(name: str, make) -> bytes:
    folder = _key_dir()
    cache_key = (str(folder), name)
    if cache_key in _cache:
        return _cache[cache_key]
    path = folder / name
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(make())
                handle.flush()
                os.fsync(handle.fileno())
    data = path.read_bytes()
    if not data:  # another worker is between create and write
        raise RuntimeError(f"key file {path} is empty")
    _cache[cache_key] = data
    return data


def ensure_keys() -> list[str]:
    """Create missing installation keys; return the names created."""
    created = []
    for name in (SIGNING_FILE, KEK_FILE, MAC_FILE):
        if not (_key_dir() / name).exists():
            created.append(name)
    signing_key()
    key_encryption_key()
    mac_key()
    return created


def signing_key() -> Ed25519PrivateKey:
    pem = _read_or_create(
        SIGNING_FILE,
        lambda: Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
    )
    return serialization.load_pem_private_key(pem, password=None)


def key_encryption_key() -> bytes:
    return _read_or_create(KEK_FILE, lambda: os.urandom(32))


def mac_key() -> bytes:
    return _read_or_create(MAC_FILE, lambda: os.urandom(32))


def mac(domain: bytes, message: bytes) -> str:
    """HMAC-SHA256 under mac.key of `domain` NUL `message`, as 64 hex digits. Domains
    in use: b"voting-audit-v1" (an audit entry's entry_hash, ASCII hex) and
    b"voting-anchor-v1" (an anchors.log line's canonical JSON without its "mac")."""
    import hmac

    return hmac.new(mac_key(), domain + b"\0" + message, hashlib.sha256).hexdigest()


def credential_hash(kind: str, secret: str) -> str:
    """What the database keeps of a credential (kind "card", "api-token", "screen"):
    HMAC-SHA256 under mac.key, domain b"voting-credential-v1:" + kind, of the secret's
    UTF-8 bytes. A database writer cannot make a row for a secret of their choosing
    (a plain SHA-256 would let them add a token or card they hold)."""
    return mac(b"voting-credential-v1:" + kind.encode("ascii"), secret.encode("utf-8"))


def mac_matches(domain: bytes, message: bytes, claimed) -> bool:
    import hmac

    return isinstance(claimed, str) and hmac.compare_digest(mac(domain, message), claimed)


def public_key_b64() -> str:
    raw = signing_key().public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def fingerprint(public_key_b64_value: str) -> str:
    """Short human-checkable fingerprint of a public key, in groups of four."""
    digest = hashlib.sha256(base64.b64decode(public_key_b64_value)).hexdigest()[:32].upper()
    return " ".join(digest[i:i + 4] for i in range(0, 32, 4))


def sign_sheet(sheet: dict) -> dict:
    """Return the signature object for `sheet` (which must not hold "signature")."""
    body = {k: v for k, v in sheet.items() if k != "signature"}
    value = signing_key().sign(canonical_json(body))
    return {"alg": "Ed25519", "public_key": public_key_b64(), "value": base64.b64encode(value).decode()}


