"""Idempotent vote retries without a stored link between a deputy and a receipt.

The record's key is HMAC-SHA256 over (deputy | ballot | idempotency key | canonical
body) under a secret derived from the installation's key-encryption key, so a copy
of the database alone cannot test guesses. The receipt is AES-GCM encrypted under a
key derived (HKDF) from the client's idempotency key, which is never stored: only the
client that sent the vote can open its record again.
"""
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from voting.integrity import keys
from voting.integrity.canonical import canonical_json

MAX_KEY_LENGTH = 200


def _derive(ikm: bytes, info: bytes, salt: bytes | None = None) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(ikm)


def _pepper() -> bytes:
    return _derive(keys.key_encryption_key(), b"voting idempotency pepper v1")


def record_key(deputy_id: int, ballot_id: int, idempotency_key: str, choices, *, body: bytes | None = None) -> str:
    """`body`, when given, is canonical_json(choices), already made by the caller."""
    message = b"|".join([str(deputy_id).encode(), str(ballot_id).encode(), idempotency_key.encode("utf-8"),
                         canonical_json(choices) if body is None else body])
    return hmac.new(_pepper(), message, hashlib.sha256).hexdigest()


def _receipt_key(idempotency_key: str, key_hash: str) -> bytes:
    return _derive(idempotency_key.encode("utf-8"), b"voting idempotent receipt v1", salt=bytes.fromhex(key_hash))


def seal_receipt(idempotency_key: str, key_hash: str, receipt: str) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(_receipt_key(idempotency_key, key_hash)).encrypt(nonce, receipt.encode(), key_hash.encode())


def open_receipt(idempotency_key: str, key_hash: str, sealed: bytes) -> str | None:
    try:
        return AESGCM(_receipt_key(idempotency_key, key_hash)).decrypt(
            sealed[:12], sealed[12:], key_hash.encode()).decode()
    except (InvalidTag, ValueError):
        return None
