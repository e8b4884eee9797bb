"""An encrypted ballot (docs/BOARD.md, "Encrypted ballot"): per item one ciphertext
per option (1 for the chosen option, 0 for the others), each proved in 0..1, the
item's product proved to be exactly 1, and on a selection ballot the product of
the yes ciphertexts over all items proved in 0..seats.

Every proof's context names the ballot, the digest of all the ballot's ciphertexts,
the item and the option, so a proof copied from another ballot, another cast or
another place fails, and a copied whole cast collides on its tracker."""
import base64
import hashlib
from dataclasses import dataclass

from voting.crypto import group
from voting.crypto.elgamal import Ciphertext, check_range, encrypt, encryption, product, prove_range


@dataclass(frozen=True)
class Shape:
    """What a ballot's casts must look like: items in ballot order, options in the
    ballot's order, and the option limited to at most `limit` per cast (selection)."""
    ballot_id: int
    item_ids: tuple[str, ...]
    options: tuple[str, ...]
    limited_option: str | None = None
    limit: int | None = None


class BallotRejected(ValueError):
    """An encrypted ballot that is malformed or whose proofs fail."""


def cast_digest(shape: Shape, rows: list[list[Ciphertext]]) -> bytes:
    """SHA-256 of "cast" | ballot id (8 bytes big-endian) | every a‖b, items then options in order."""
    digest = hashlib.sha256(b"cast" + shape.ballot_id.to_bytes(8, "big"))
    for row in rows:
        for ciphertext in row:
            digest.update(ciphertext.a + ciphertext.b)
    return digest.digest()


def tracker_of(digest: bytes) -> str:
    """The receipt code: 16 base32 characters of the cast digest, in groups of four."""
    code = base64.b32encode(digest).decode()[:16]
    return "-".join(code[i:i + 4] for i in range(0, 16, 4))


def _context(shape: Shape, digest: bytes, where: str) -> str:
    return f"ballot:{shape.ballot_id}|cast:{digest.hex()}|{where}"


def encrypt_ballot(key: bytes, shape: Shape, choices: dict[str, str]) -> dict:
    """The encrypted, proved ballot of `choices` (every item marked with one option)."""
    rows, randomness = [], []
    for item_id in shape.item_ids:
        marks = [1 if choices[item_id] == option else 0 for option in shape.options]
        pairs = [encrypt(key, mark) for mark in marks]
        rows.append([c for c, _ in pairs])
        randomness.append([(r, mark) for (_, r), mark in zip(pairs, marks)])
    digest = cast_digest(shape, rows)
    items = []
    for item_id, row, secrets_of_row in zip(shape.item_ids, rows, randomness):
        entries = []
        for option, ciphertext, (r, mark) in zip(shape.options, row, secrets_of_row):
            proof = prove_range(key, _context(shape, digest, f"item:{item_id}|option:{option}"), ciphertext, r, mark, 0, 1)
            entries.append({**ciphertext.to_json(), "proof": proof})
        r_sum = sum(r for r, _ in secrets_of_row) % group.L
        one = prove_range(key, _context(shape, digest, f"item:{item_id}|one"), product(row), r_sum, 1, 1, 1)
        items.append({"id": item_id, "choices": entries, "proof": one})
    encrypted = {"items": items}
    if shape.limited_option is not None:
        column = shape.options.index(shape.limited_option)
        marked = sum(randomness[i][column][1] for i in range(len(rows)))
        r_sum = sum(randomness[i][column][0] for i in range(len(rows))) % group.L
        limited = encryption(key, marked, r_sum)  # = product(row[column] for row in rows), in 3 calls, not 48
        encrypted["limit"] = prove_range(key, _context(shape, digest, f"limit:{shape.limited_option}"),
                                         limited, r_sum, marked, 0, shape.limit)
    return encrypted


def cast_form_digest(shape: Shape, encrypted) -> bytes:
    """The cast digest of a cast whose form is the ballot's (items, options, fields, hex
    encodings), its points not yet checked: what a cast needs to be stored before its
    proofs are checked (voting.tellers.checking); BallotRejected otherwise."""
    rows = ciphertext_rows(shape, encrypted, decode=_point_text)
    text = "".join(part for row in rows for ciphertext in row for part in (ciphertext.a, ciphertext.b))
    try:  # every point's 64 characters at once: the same bytes cast_digest hashes
        raw = bytes.fromhex(text)
    except ValueError:
        raise BallotRejected("加密选票含无效密文：不是十六进制编码") from None
    if raw.hex() != text:
        raise BallotRejected("加密选票含无效密文：十六进制须为小写")
    return hashlib.sha256(b"cast" + shape.ballot_id.to_bytes(8, "big") + raw).digest()


def _point_text(text) -> str:
    """A point's hex as sent, its length checked (cast_form_digest decodes them all at once)."""
    if not isinstance(text, str) or len(text) != 2 * group.POINT_BYTES:
        raise group.GroupError("编码长度不符")
    return text


def ciphertext_rows(shape: Shape, encrypted, decode=group.point_from_hex) -> list[list[Ciphertext]]:
    """The ciphertexts of a cast, in the ballot's item and option order; BallotRejected
    when its shape is not the ballot's or (with the default `decode`) a point is not one."""
    if not isinstance(encrypted, dict) or not isinstance(encrypted.get("items"), list):
        raise BallotRejected("加密选票须含 items 列表")
    expected_keys = {"items", "limit"} if shape.limited_option is not None else {"items"}
    if set(encrypted) != expected_keys:
        raise BallotRejected("加密选票的字段与本项表决不符")
    items = encrypted["items"]
    if [item.get("id") if isinstance(item, dict) else None for item in items] != list(shape.item_ids):
        raise BallotRejected("加密选票的项目与本项表决不符")
    rows = []
    for item in items:
        entries = item.get("choices")
        if set(item) != {"id", "choices", "proof"} or not isinstance(entries, list) \
                or len(entries) != len(shape.options):
            raise BallotRejected("加密选票的选项与本项表决不符")
        try:
            rows.append([Ciphertext.from_json(entry, decode) for entry in entries])
        except group.GroupError as error:
            raise BallotRejected(f"加密选票含无效密文：{error}") from error
    return rows


def verify_ballot(key: bytes, shape: Shape, encrypted) -> tuple[str, list[list[Ciphertext]]]:
    """(tracker, ciphertexts) of a well-formed cast whose every proof holds; else
    BallotRejected saying what failed."""
    rows = ciphertext_rows(shape, encrypted)
    digest = cast_digest(shape, rows)
    for item, row in zip(encrypted["items"], rows):
        item_id = item["id"]
        for option, ciphertext, entry in zip(shape.options, row, item["choices"]):
            if not check_range(key, _context(shape, digest, f"item:{item_id}|option:{option}"), ciphertext, 0, 1,
                               entry.get("proof")):
                raise BallotRejected(f"项目 {item_id} 的选项 {option} 的证明不成立")
        if not check_range(key, _context(shape, digest, f"item:{item_id}|one"), product(row), 1, 1, item["proof"]):
            raise BallotRejected(f"项目 {item_id} 没有恰好选择一项")
    if shape.limited_option is not None:
        column = shape.options.index(shape.limited_option)
        limited = product(row[column] for row in rows)
        if not check_range(key, _context(shape, digest, f"limit:{shape.limited_option}"), limited, 0, shape.limit,
                           encrypted["limit"]):
            raise BallotRejected(f"“{shape.limited_option}”超过 {shape.limit} 项或证明不成立")
    return tracker_of(digest), rows
