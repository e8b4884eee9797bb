"""ristretto255 through libsodium: points are 32-byte encodings, scalars are integers
mod L. No curve arithmetic here, only calls into libsodium: the library pysodium
loaded (`pysodium.sodium`), called through ctypes as pysodium's own wrappers do, minus
their per-call version check (checked once here); a non-zero return is ValueError.

libsodium refuses to return the identity from a scalar multiplication, so a product
that is the identity (a zero scalar, or the identity point) is answered here without
calling it; every other product of a prime-order group element is not the identity.
A sum or difference with the identity as its second operand (or a sum with it as its
first) is the other operand, returned without calling libsodium: points given to
these functions are valid canonical encodings (from point_from_hex or libsodium), and
libsodium re-encodes a valid point to the same bytes. The multiples j·G of small j
are computed once (base_mul of libsodium) and kept."""
import ctypes
import functools
import hashlib
import secrets

import pysodium

if not pysodium.sodium_version_check(1, 0, 18):
    raise ImportError("ristretto255 needs libsodium 1.0.18 or later")
_sodium = pysodium.sodium
_scalarmult = _sodium.crypto_scalarmult_ristretto255
_scalarmult_base = _sodium.crypto_scalarmult_ristretto255_base
_add = _sodium.crypto_core_ristretto255_add
_sub = _sodium.crypto_core_ristretto255_sub
_is_valid_point = _sodium.crypto_core_ristretto255_is_valid_point
_Buffer = ctypes.c_char * 32  # libsodium's output: a fresh one per call (ctypes lets other threads run)

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
    if _is_valid_point(raw) != 1:
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


SMALL_MULTIPLES = 1024  # j·G for 0 ≤ j < this is computed once and kept


def base_mul(k: int) -> bytes:
    k %= L
    return _small_multiple(k) if k < SMALL_MULTIPLES else _base_mul(k)


@functools.cache
def _small_multiple(j: int) -> bytes:
    return IDENTITY if j == 0 else _base_mul(j)


@functools.lru_cache(maxsize=4096)
def multiple(j: int) -> bytes:
    """j·G for a small value j ≥ 0 a proof names (a range's j, a packed item's 1 or B), kept."""
    return base_mul(j)


def _base_mul(k: int) -> bytes:
    out = _Buffer()
    if _scalarmult_base(out, k.to_bytes(32, "little")) != 0:
        raise ValueError("crypto_scalarmult_ristretto255_base")
    return out.raw


def mul(k: int, point: bytes) -> bytes:
    k %= L
    if k == 0 or point == IDENTITY:
        return IDENTITY
    _check(point)
    out = _Buffer()
    if _scalarmult(out, k.to_bytes(32, "little"), point) != 0:
        raise ValueError("crypto_scalarmult_ristretto255")
    return out.raw


def add(p: bytes, q: bytes) -> bytes:
    if p == IDENTITY:
        return _check(q)
    return _combine(_add, "crypto_core_ristretto255_add", p, q)


def sub(p: bytes, q: bytes) -> bytes:
    return _combine(_sub, "crypto_core_ristretto255_sub", p, q)


def _combine(function, name: str, p: bytes, q: bytes) -> bytes:
    """p + q or p − q through libsodium; p itself when q is the identity."""
    if q == IDENTITY:
        return _check(p)
    _check(p)
    _check(q)
    out = _Buffer()
    if function(out, p, q) != 0:
        raise ValueError(name)
    return out.raw


def _check(point: bytes) -> bytes:
    """What pysodium checks before handing bytes to C: 32 of them."""
    if type(point) is not bytes or len(point) != POINT_BYTES:
        raise ValueError("a point is 32 bytes")
    return point


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
