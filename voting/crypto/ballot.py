"""An encrypted ballot (docs/BOARD.md, "Encrypted ballot"), in one of two encodings:

- one-hot: per item one ciphertext per option (1 for the chosen option, 0 for the
  others), each proved in 0..1, the item's product proved to be exactly 1, and on a
  selection ballot the product of the yes ciphertexts over all items proved in 0..seats;
- packed (a ballot whose options are two and abstain: yes/no/abstain): per item one
  ciphertext of 1 (the first option), B (the second) or 0 (abstain), proved to be one
  of them; on a selection, how many items hold the other option in bits (one
  ciphertext per bit, each proved 0 or 2^i), whose product divided out of the product
  of the items leaves the yes count, proved in 0..seats. About half the proof work and
  body of one-hot.

Every proof's context names the ballot, the digest of all the ballot's ciphertexts,
the item and the option, so a proof copied from another ballot, another cast or
another place fails, and a copied whole cast collides on its tracker."""
import base64
import hashlib
from dataclasses import dataclass

from voting.crypto import group
from voting.rules.choices import ABSTAIN
from voting.crypto.elgamal import (
    Ciphertext, check_range, check_set, encrypt, encryption, product, prove_range, prove_set, scaled,
)


ONE_HOT, PACKED = "one-hot", "packed"
PACKED_BASE = 2 ** 20  # B: above any ballot's casts, so a packed sum c1 + c2·B has one reading


def packed_values(options) -> dict[str, int] | None:
    """{first option: 1, second option: B, abstain: 0} for options that are two and
    abstain (in the ballot's order); None when a ballot's options do not pack."""
    others = [option for option in options if option != ABSTAIN]
    if len(others) != 2 or ABSTAIN not in options or len(options) != 3:
        return None
    return {others[0]: 1, others[1]: PACKED_BASE, ABSTAIN: 0}


def encoding_for(options) -> str:
    """The encoding a ballot with these cast options gets when it opens (frozen then)."""
    return PACKED if packed_values(options) is not None else ONE_HOT


@dataclass(frozen=True)
class Shape:
    """What a ballot's casts must look like: items in ballot order, options in the
    ballot's order, the option limited to at most `limit` per cast (selection), and the
    encoding frozen when the ballot opened."""
    ballot_id: int
    item_ids: tuple[str, ...]
    options: tuple[str, ...]
    limited_option: str | None = None
    limit: int | None = None
    encoding: str = ONE_HOT

    def __post_init__(self):
        if self.encoding not in (ONE_HOT, PACKED) or (self.encoding == PACKED and self.values is None):
            raise ValueError(f"encoding {self.encoding!r} does not fit options {self.options!r}")
        if self.packed and 2 * len(self.item_ids) + 1 >= PACKED_BASE:
            # the seat-limit argument (docs/BOARD.md) needs the counts of one cast far below B
            raise ValueError("too many items for the packed encoding")

    @property
    def packed(self) -> bool:
        return self.encoding == PACKED

    @property
    def values(self) -> dict[str, int] | None:
        return packed_values(self.options)

    @property
    def columns(self) -> tuple[str, ...]:
        """The names of an item's ciphertexts, as share contexts use them: its options
        (one-hot) or the one name "packed"."""
        return (PACKED,) if self.packed else self.options

    @classmethod
    def from_encryption(cls, ballot_id, encryption: dict) -> "Shape":
        """The shape a client reads from a ballot's `encryption` block (GET /api/v1/ballots/<bid>)."""
        limit = encryption.get("limit") or {}
        return cls(int(ballot_id), tuple(encryption["items"]), tuple(encryption["options"]), limit.get("option"),
                   limit.get("at_most"), encryption.get("encoding", {}).get("kind", ONE_HOT))

    def encoding_json(self) -> dict:
        if not self.packed:
            return {"kind": ONE_HOT}
        return {"kind": PACKED, "base": PACKED_BASE, "values": self.values}


class BallotRejected(ValueError):
    """An encrypted ballot that is malformed or whose proofs fail."""


def cast_digest(shape: Shape, rows: list[list[Ciphertext]], bits: list[Ciphertext] = ()) -> bytes:
    """SHA-256 of "cast" | ballot id (8 bytes big-endian) | every a‖b, items then options
    in order (one per item when packed), then a packed selection's other-count bits' a‖b."""
    digest = hashlib.sha256(b"cast" + shape.ballot_id.to_bytes(8, "big"))
    for row in [*rows, bits]:
        for ciphertext in row:
            digest.update(ciphertext.a + ciphertext.b)
    return digest.digest()


def count_bits(shape: Shape) -> int:
    """How many bits a packed selection's other-option count is sent in: enough for the
    number of items."""
    return max(1, len(shape.item_ids).bit_length())


def tracker_of(digest: bytes) -> str:
    """The receipt code: 16 base32 characters of the cast digest, in groups of four."""
    code = base64.b32encode(digest).decode()[:16]
    return "-".join(code[i:i + 4] for i in range(0, 16, 4))


def _context(shape: Shape, digest: bytes, where: str) -> str:
    return f"ballot:{shape.ballot_id}|cast:{digest.hex()}|{where}"


def encrypt_ballot(key: bytes, shape: Shape, choices: dict[str, str]) -> dict:
    """The encrypted, proved ballot of `choices` (every item marked with one option)."""
    if shape.packed:
        return _encrypt_packed(key, shape, choices)
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


def _other_option(shape: Shape) -> str:
    """A packed selection's option that is neither the limited one nor abstain."""
    return next(option for option in shape.options if option not in (shape.limited_option, ABSTAIN))


def _within(shape: Shape, rows: list[list[Ciphertext]], bits: list[Ciphertext]) -> Ciphertext:
    """The ciphertext of the limited option's count in a packed cast: the product of the
    items, the other option's count (R, the product of its bits) times its value taken
    out, divided by the limited option's value: (T − w_other·R)·w⁻¹."""
    values = shape.values
    remainder = product(row[0] for row in rows) * scaled(product(bits), group.L - values[_other_option(shape)])
    return scaled(remainder, pow(values[shape.limited_option], -1, group.L))


def _encrypt_packed(key: bytes, shape: Shape, choices: dict[str, str]) -> dict:
    values = shape.values
    marks = [values[choices[item_id]] for item_id in shape.item_ids]
    pairs = [encrypt(key, mark) for mark in marks]
    rows = [[ciphertext] for ciphertext, _ in pairs]
    bits = []
    if shape.limited_option is not None:
        other_count = sum(1 for item_id in shape.item_ids if choices[item_id] == _other_option(shape))
        bits = [encrypt(key, other_count & (1 << i)) for i in range(count_bits(shape))]
    digest = cast_digest(shape, rows, [ciphertext for ciphertext, _ in bits])
    order = [values[option] for option in shape.options]
    items = [{"id": item_id, **ciphertext.to_json(),
              "proof": prove_set(key, _context(shape, digest, f"item:{item_id}|packed"), ciphertext, r, mark, order)}
             for item_id, (ciphertext, r), mark in zip(shape.item_ids, pairs, marks)]
    encrypted = {"items": items}
    if bits:
        limited = shape.limited_option
        count = sum(1 for item_id in shape.item_ids if choices[item_id] == limited)
        r_other = sum(r for _, r in bits)
        r_within = (sum(r for _, r in pairs) - values[_other_option(shape)] * r_other) \
            * pow(values[limited], -1, group.L) % group.L
        within = encryption(key, count, r_within)  # = _within(shape, rows, bits), in 3 calls
        encrypted["limit"] = {
            "bits": [{**ciphertext.to_json(),
                      "proof": prove_set(key, _context(shape, digest, f"limit:{limited}|other:{i}"), ciphertext, r,
                                         other_count & (1 << i), (0, 1 << i))}
                     for i, (ciphertext, r) in enumerate(bits)],
            "within": prove_range(key, _context(shape, digest, f"limit:{limited}"), within, r_within, count, 0,
                                  shape.limit)}
    return encrypted


def cast_form_digest(shape: Shape, encrypted) -> bytes:
    """The cast digest of a cast whose form is the ballot's (items, options, fields, hex
    encodings), its points not yet checked: what a cast needs to be stored before its
    proofs are checked (voting.tellers.checking); BallotRejected otherwise."""
    rows = ciphertext_rows(shape, encrypted, decode=_point_text)
    rows = rows + [other_bits(shape, encrypted, decode=_point_text)]
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
    if shape.packed:
        if not all(set(item) == {"id", "a", "b", "proof"} for item in items):
            raise BallotRejected("加密选票的项目字段与本项表决不符")
        return [[_ciphertext(item, decode)] for item in items]
    rows = []
    for item in items:
        entries = item.get("choices")
        if set(item) != {"id", "choices", "proof"} or not isinstance(entries, list) \
                or len(entries) != len(shape.options):
            raise BallotRejected("加密选票的选项与本项表决不符")
        rows.append([_ciphertext(entry, decode) for entry in entries])
    return rows


def _ciphertext(value, decode) -> Ciphertext:
    try:
        return Ciphertext.from_json(value, decode)
    except group.GroupError as error:
        raise BallotRejected(f"加密选票含无效密文：{error}") from error


def other_bits(shape: Shape, encrypted, decode=group.point_from_hex) -> list[Ciphertext]:
    """A packed selection's ciphertexts of the bits of how many items hold the other
    option (after ciphertext_rows has checked the cast's fields); [] for any other shape."""
    if not shape.packed or shape.limited_option is None:
        return []
    limit = encrypted["limit"]
    if not isinstance(limit, dict) or set(limit) != {"bits", "within"} or not isinstance(limit["bits"], list) \
            or len(limit["bits"]) != count_bits(shape) \
            or not all(isinstance(bit, dict) and set(bit) == {"a", "b", "proof"} for bit in limit["bits"]):
        raise BallotRejected("加密选票的 limit 字段与本项表决不符")
    return [_ciphertext(bit, decode) for bit in limit["bits"]]


def verify_ballot(key: bytes, shape: Shape, encrypted) -> tuple[str, list[list[Ciphertext]]]:
    """(tracker, ciphertexts) of a well-formed cast whose every proof holds; else
    BallotRejected saying what failed."""
    rows = ciphertext_rows(shape, encrypted)
    if shape.packed:
        return _verify_packed(key, shape, encrypted, rows)
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


def _verify_packed(key: bytes, shape: Shape, encrypted, rows) -> tuple[str, list[list[Ciphertext]]]:
    bits = other_bits(shape, encrypted)
    digest = cast_digest(shape, rows, bits)
    order = [shape.values[option] for option in shape.options]
    for item, row in zip(encrypted["items"], rows):
        if not check_set(key, _context(shape, digest, f"item:{item['id']}|packed"), row[0], order, item["proof"]):
            raise BallotRejected(f"项目 {item['id']} 没有恰好选择一项或证明不成立")
    if bits:
        limited, limit = shape.limited_option, encrypted["limit"]
        if not all(check_set(key, _context(shape, digest, f"limit:{limited}|other:{i}"), bit, (0, 1 << i),
                             entry["proof"]) for i, (bit, entry) in enumerate(zip(bits, limit["bits"]))) \
                or not check_range(key, _context(shape, digest, f"limit:{limited}"), _within(shape, rows, bits), 0,
                                   shape.limit, limit["within"]):
            raise BallotRejected(f"“{limited}”超过 {shape.limit} 项或证明不成立")
    return tracker_of(digest), rows


def item_counts(shape: Shape, points: list[bytes], accepted: int, table: dict[bytes, int]) -> dict[str, int] | None:
    """One item's counts per option from its decrypted sums (m·G per column), `table`
    being {m·G: m} for m in 0..accepted; None when they are no counts of `accepted` casts.
    A packed sum is c1·G + c2·B·G: the c2 in 0..accepted whose remainder is in the table."""
    if not shape.packed:
        counts = {option: table.get(point) for option, point in zip(shape.options, points)}
        return None if None in counts.values() else counts
    if accepted >= PACKED_BASE:
        return None
    first, second = (option for option in shape.options if option != ABSTAIN)
    step, remainder = group.multiple(PACKED_BASE), points[0]
    for c2 in range(accepted + 1):
        c1 = table.get(remainder)
        if c1 is not None and c1 + c2 <= accepted:
            return {first: c1, second: c2, ABSTAIN: accepted - c1 - c2}
        remainder = group.sub(remainder, step)
    return None
