"""Sealing cast ballots to their ballot's key (DESIGN.md, "Secrecy and integrity").

- Each ballot gets an X25519 key pair when it opens. The public half is stored in
  the clear; the private half is stored wrapped with AES-256-GCM under the
  installation's key-encryption key (`keys.key_encryption_key()`, kept in the key
  folder, never in the database), bound to the ballot id, and unwrapped only to count.
- A cast is sealed with a fresh ephemeral X25519 key: shared secret → HKDF-SHA256 →
  AES-256-GCM. The plaintext is padded to a length fixed per ballot, so every sealed
  ballot of one ballot has the same size and the ciphertext length tells nothing.
- The tracker (receipt code) is derived from the sealed bytes alone, so it can be
  recomputed and checked by `flask verify` and links to no voter.
"""
import base64
import hashlib
import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from voting.integrity import keys

SEAL_VERSION = b"\x01"
_KEY_BYTES = 32
_NONCE_BYTES = 12
_LENGTH_PREFIX = 2  # big-endian plaintext length before the padding
PAD_BLOCK = 64


class SealError(Exception):
    """A sealed ballot or wrapped key that does not open: tampering or a wrong key."""


def _raw_public(public: X25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _raw_private(private: X25519PrivateKey) -> bytes:
    return private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                 serialization.NoEncryption())


def _wrap_aad(ballot_id: int) -> bytes:
    return f"ballot-private-key:{ballot_id}".encode()


def new_ballot_keys(ballot_id: int) -> tuple[bytes, bytes]:
    """(public key, wrapped private key) for a ballot that is opening now."""
    private = X25519PrivateKey.generate()
    nonce = os.urandom(_NONCE_BYTES)
    wrapped = nonce + AESGCM(keys.key_encryption_key()).encrypt(nonce, _raw_private(private), _wrap_aad(ballot_id))
    return _raw_public(private.public_key()), wrapped


def unwrap_private_key(ballot_id: int, wrapped: bytes) -> X25519PrivateKey:
    try:
        raw = AESGCM(keys.key_encryption_key()).decrypt(wrapped[:_NONCE_BYTES], wrapped[_NONCE_BYTES:],
                                                        _wrap_aad(ballot_id))
    except (InvalidTag, ValueError) as error:
        raise SealError("表决私钥无法解开：密钥不符或数据被改动") from error
    return X25519PrivateKey.from_private_bytes(raw)


def _seal_key(shared: bytes, ephemeral_public: bytes, recipient_public: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=_KEY_BYTES, salt=ephemeral_public + recipient_public,
                info=b"voting seal v1").derive(shared)


def padded_length(longest_plaintext: int) -> int:
    """Room for the longest possible plaintext of a ballot, rounded up to a block."""
    needed = _LENGTH_PREFIX + longest_plaintext
    return -(-needed // PAD_BLOCK) * PAD_BLOCK


def _pad(plaintext: bytes, length: int) -> bytes:
    if _LENGTH_PREFIX + len(plaintext) > length:
        raise ValueError("plaintext longer than the ballot's padded length")
    return struct.pack(">H", len(plaintext)) + plaintext + b"\x00" * (length - _LENGTH_PREFIX - len(plaintext))


def _unpad(padded: bytes) -> bytes:
    (size,) = struct.unpack(">H", padded[:_LENGTH_PREFIX])
    if _LENGTH_PREFIX + size > len(padded) or any(padded[_LENGTH_PREFIX + size:]):
        raise SealError("选票填充格式不符")
    return padded[_LENGTH_PREFIX:_LENGTH_PREFIX + size]


def _seal_aad(ballot_id: int) -> bytes:
    return SEAL_VERSION + f"ballot:{ballot_id}".encode()


def seal(public_key: bytes, ballot_id: int, plaintext: bytes, length: int) -> bytes:
    """Seal `plaintext` (padded to `length`) so that only the ballot's private key opens it.
    Layout: version(1) | ephemeral public key(32) | nonce(12) | AES-GCM ciphertext+tag."""
    recipient = X25519PublicKey.from_public_bytes(public_key)
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = _raw_public(ephemeral.public_key())
    key = _seal_key(ephemeral.exchange(recipient), ephemeral_public, public_key)
    nonce = os.urandom(_NONCE_BYTES)
    ciphertext = AESGCM(key).encrypt(nonce, _pad(plaintext, length), _seal_aad(ballot_id))
    return SEAL_VERSION + ephemeral_public + nonce + ciphertext


def unseal(private: X25519PrivateKey, ballot_id: int, sealed: bytes) -> bytes:
    if len(sealed) < 1 + 32 + _NONCE_BYTES + 16 or sealed[:1] != SEAL_VERSION:
        raise SealError("密封选票格式不符")
    ephemeral_public = sealed[1:33]
    nonce = sealed[33:33 + _NONCE_BYTES]
    ciphertext = sealed[33 + _NONCE_BYTES:]
    recipient_public = _raw_public(private.public_key())
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
        key = _seal_key(shared, ephemeral_public, recipient_public)
        padded = AESGCM(key).decrypt(nonce, ciphertext, _seal_aad(ballot_id))
    except (InvalidTag, ValueError) as error:
        raise SealError("密封选票无法解开：数据被改动或密钥不符") from error
    return _unpad(padded)


def tracker_for(sealed: bytes) -> str:
    """The receipt code: 16 base32 characters of SHA-256(sealed), in groups of four."""
    code = base64.b32encode(hashlib.sha256(sealed).digest()).decode()[:16]
    return "-".join(code[i:i + 4] for i in range(0, 16, 4))
