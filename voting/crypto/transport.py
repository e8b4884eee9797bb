"""A dealt share on its way from one teller to another through the server: sealed to
the recipient's transport key T = t·G (docs/BOARD.md, "Dealt shares").

E = e·G for a fresh e; key = SHA-256("share-seal" | E | T | e·T); AES-256-GCM with a
zero nonce (each key seals one message) and the associated data
"meeting:<id>|from:<i>|to:<j>"; the plaintext is the share's 32-byte scalar. The
sealed text is E (32 bytes) followed by the ciphertext and tag (48 bytes), hex."""
import hashlib

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from voting.crypto import group

_NONCE = bytes(12)


def _key(ephemeral: bytes, recipient: bytes, shared: bytes) -> bytes:
    return hashlib.sha256(b"share-seal" + ephemeral + recipient + shared).digest()


def associated_data(meeting_id: int, sender: int, recipient: int) -> bytes:
    return f"meeting:{meeting_id}|from:{sender}|to:{recipient}".encode()


def seal_share(recipient_key: bytes, share: int, aad: bytes) -> str:
    e = group.random_scalar()
    ephemeral = group.base_mul(e)
    key = _key(ephemeral, recipient_key, group.mul(e, recipient_key))
    return (ephemeral + AESGCM(key).encrypt(_NONCE, group.scalar_bytes(share), aad)).hex()


def open_share(transport_secret: int, sealed_hex: str, aad: bytes) -> int:
    """The share, or GroupError when the sealed text was not made for this key."""
    try:
        raw = bytes.fromhex(sealed_hex)
        ephemeral = group.point_from_hex(raw[:32].hex())
        recipient = group.base_mul(transport_secret)
        key = _key(ephemeral, recipient, group.mul(transport_secret, ephemeral))
        plain = AESGCM(key).decrypt(_NONCE, raw[32:], aad)
    except (ValueError, InvalidTag, TypeError) as error:
        raise group.GroupError("分发的密钥份额无法解开") from error
    return group.scalar_from_hex(plain.hex())
