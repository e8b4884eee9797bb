"""ristretto255 through libsodium: points are 32-byte encodings, scalars are integers
mod L. No curve arithmetic here, only calls into libsodium (pysodium's bindings).

libsodium refuses to return the identity from a scalar multiplication, so a product
that is the identity (a zero scalar, or the identity point) is answered here without
calling it; every other product of a prime-order group element is not the identity."""
import hashlib
import secrets

import pysodium

L = 2**252 + 27742317777372353535851937790883648493  # the group order
IDENTITY = bytes(32)
POINT_BYTES = 32
HASH_DOMAIN = b"minsheng-voting/board/v1"


class GroupError(ValueError):
    """Bytes that are not a canonical ristretto255 point or scalar."""


def scalar_bytes(k: int) -> bytes:
    return (k % L).to_bytes(32, "little")


def scalar_hex(k: int) -> str:
    return scalar_bytes(k).hex()


def scalar_from_hex(text) -> int:
    raw = _hex_bytes(text, 32)
    value = int.from_bytes(raw, "little")
    if value >= L:
        raise GroupError("标量不是规范编码")
    return value


def point_from_hex(text) -> bytes:
    raw = _hex_bytes(text, POINT_BYTES)
    if not pysodium.crypto_core_ristretto255_is_valid_point(raw):
        raise GroupError("不是有效的 ristretto255 点")
    return raw


def _hex_bytes(text, size: int) -> bytes:
    if not isinstance(text, str) or len(text) != 2 * size:
        raise GroupError("编码长度不符")
    try:
        raw = bytes.fromhex(text)
    except ValueError as error:
        raise GroupError("不是十六进制编码") from error
    if raw.hex() != text:
        raise GroupError("十六进制须为小写")
    return raw


def random_scalar() -> int:
    return 1 + secrets.randbelow(L - 1)


def base_mul(k: int) -> bytes:
    k %= L
    return IDENTITY if k == 0 else pysodium.crypto_scalarmult_ristretto255_base(scalar_bytes(k))


def mul(k: int, point: bytes) -> bytes:
    k %= L
    if k == 0 or point == IDENTITY:
        return IDENTITY
    return pysodium.crypto_scalarmult_ristretto255(scalar_bytes(k), point)


def add(p: bytes, q: bytes) -> bytes:
    return pysodium.crypto_core_ristretto255_add(p, q)


def sub(p: bytes, q: bytes) -> bytes:
    return pysodium.crypto_core_ristretto255_sub(p, q)


def total(points) -> bytes:
    result = IDENTITY
    for point in points:
        result = add(result, point)
    return result


def hash_to_scalar(tag: str, *parts: bytes) -> int:
    """The one Fiat-Shamir hash (docs/BOARD.md, "Hashes"): SHA-512 over the domain, the
    tag and every part, each prefixed with its length as 4 bytes big-endian; the
    64-byte digest read little-endian, reduced mod L."""
    digest = hashlib.sha512()
    for piece in (HASH_DOMAIN, tag.encode("utf-8"), *parts):
        digest.update(len(piece).to_bytes(4, "big"))
        digest.update(piece)
    return int.from_bytes(digest.digest(), "little") % L


def int_part(value: int) -> bytes:
    """An integer inside a hash: 8 bytes big-endian."""
    return value.to_bytes(8, "big")


def text_part(value: str) -> bytes:
    return value.encode("utf-8")
