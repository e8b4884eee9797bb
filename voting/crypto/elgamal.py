"""Exponential ElGamal to the tellers' joint key K, its range proofs, and threshold
decryption (docs/BOARD.md).

- A ciphertext of m is (A, B) = (r·G, m·G + r·K). Products of ciphertexts add the m's.
- A range proof shows that (A, B) holds some m in lo..hi without saying which: one
  Chaum-Pedersen branch per value, all but the true one simulated, the challenges
  summing to one Fiat-Shamir hash of the whole statement (the key, the context, the
  ciphertext, the range and every commitment), as ElectionGuard's range proofs do.
  The proof is the list of (c_j, v_j); the verifier recomputes the commitments
  a_j = v_j·G − c_j·A and b_j = v_j·K − c_j·(B − j·G).
- A set proof is the same over a list of values instead of lo..hi (a packed item holds
  0, 1 or B); its hash names the values instead of the range.
- A decryption share of a ciphertext by teller i is D = x_i·A with a Chaum-Pedersen
  proof that log_G X_i = log_A D, where X_i = x_i·G is the teller's public
  verification key. Any k shares give m·G = B − Σ λ_i·D_i (Lagrange at 0)."""
from dataclasses import dataclass

from voting.crypto import group


@dataclass(frozen=True)
class Ciphertext:
    a: bytes
    b: bytes

    def __mul__(self, other: "Ciphertext") -> "Ciphertext":
        return Ciphertext(group.add(self.a, other.a), group.add(self.b, other.b))

    def to_json(self) -> dict:
        return {"a": self.a.hex(), "b": self.b.hex()}

    @classmethod
    def from_json(cls, value, decode=group.point_from_hex) -> "Ciphertext":
        if not isinstance(value, dict):
            raise group.GroupError("密文须为 {a, b} 对象")
        return cls(decode(value.get("a")), decode(value.get("b")))


ZERO = Ciphertext(group.IDENTITY, group.IDENTITY)


def product(ciphertexts) -> Ciphertext:
    result = ZERO
    for ciphertext in ciphertexts:
        result = result * ciphertext
    return result


def scaled(ciphertext: Ciphertext, k: int) -> Ciphertext:
    """k times the value (and randomness) of `ciphertext`: (k·A, k·B)."""
    if k % group.L == 1:
        return ciphertext
    return Ciphertext(group.mul(k, ciphertext.a), group.mul(k, ciphertext.b))


def encrypt(key: bytes, m: int) -> tuple[Ciphertext, int]:
    """(ciphertext, r): r is kept only as long as the proofs need it."""
    r = group.random_scalar()
    return encryption(key, m, r), r


def encryption(key: bytes, m: int, r: int) -> Ciphertext:
    """(r·G, m·G + r·K): also the product of ciphertexts whose m's and r's sum to m
    and r, which the one who knows them gets here in 3 calls instead of 2 per factor."""
    return Ciphertext(group.base_mul(r), group.add(group.base_mul(m), group.mul(r, key)))


def _statement_hash(tag: str, key: bytes, context: str, ciphertext: Ciphertext, values: list[int],
                    commitments) -> int:
    """H(tag, K, context, A, B, int8 of each of `values`, a_1, b_1, ...): a range names lo
    and hi, a set its length and its values (docs/BOARD.md)."""
    parts = [key, group.text_part(context), ciphertext.a, ciphertext.b, *(group.int_part(v) for v in values)]
    for a_j, b_j in commitments:
        parts += [a_j, b_j]
    return group.hash_to_scalar(tag, *parts)


def _range_hash(key: bytes, context: str, ciphertext: Ciphertext, lo: int, hi: int, commitments) -> int:
    return _statement_hash("range", key, context, ciphertext, [lo, hi], commitments)


def _set_hash(key: bytes, context: str, ciphertext: Ciphertext, values, commitments) -> int:
    return _statement_hash("set", key, context, ciphertext, [len(values), *values], commitments)


def prove_range(key: bytes, context: str, ciphertext: Ciphertext, r: int, m: int, lo: int, hi: int) -> list:
    """[[c_j, v_j] for j in lo..hi] (scalars as hex) proving lo ≤ m ≤ hi, where
    `ciphertext` is (r·G, m·G + r·K)."""
    return _prove_one_of(key, ciphertext, r, m, range(lo, hi + 1),
                         lambda commitments: _range_hash(key, context, ciphertext, lo, hi, commitments))


def prove_set(key: bytes, context: str, ciphertext: Ciphertext, r: int, m: int, values) -> list:
    """[[c_j, v_j] for each of `values`, in their order] proving m is one of them (a
    packed item: abstain 0, yes 1, no B)."""
    values = tuple(values)
    return _prove_one_of(key, ciphertext, r, m, values,
                         lambda commitments: _set_hash(key, context, ciphertext, values, commitments))


def _prove_one_of(key: bytes, ciphertext: Ciphertext, r: int, m: int, values, challenge) -> list:
    """One Chaum-Pedersen branch per value, all but m's simulated; the challenges sum
    to `challenge(commitments)`."""
    values = list(values)
    if m not in values or len(set(values)) != len(values):
        raise ValueError("the value is not one of the distinct values it is proved among")
    branches, commitments = {}, []
    u = group.random_scalar()
    for j in values:
        if j == m:
            commitments.append((group.base_mul(u), group.mul(u, key)))
            continue
        c_j, v_j = group.random_scalar(), group.random_scalar()
        branches[j] = (c_j, v_j)
        commitments.append(_simulated_commitment(key, r, m, j, c_j, v_j))
    c = challenge(commitments)
    c_m = (c - sum(c_j for c_j, _ in branches.values())) % group.L
    branches[m] = (c_m, (u + c_m * r) % group.L)
    return [[group.scalar_hex(branches[j][0]), group.scalar_hex(branches[j][1])] for j in values]


def _commitment(key: bytes, ciphertext: Ciphertext, j: int, c_j: int, v_j: int) -> tuple[bytes, bytes]:
    """The verifier's (a_j, b_j) = (v_j·G − c_j·A, v_j·K − c_j·(B − j·G))."""
    a_j = group.sub(group.base_mul(v_j), group.mul(c_j, ciphertext.a))
    b_j = group.sub(group.mul(v_j, key), group.mul(c_j, group.sub(ciphertext.b, group.multiple(j))))
    return a_j, b_j


def _simulated_commitment(key: bytes, r: int, m: int, j: int, c_j: int, v_j: int) -> tuple[bytes, bytes]:
    """The same points as _commitment, made by the prover, who knows A = r·G and
    B = m·G + r·K: with w = v_j − c_j·r, a_j = w·G and b_j = w·K + c_j·(j − m)·G
    (scalar arithmetic mod L; every point still comes from libsodium)."""
    w = (v_j - c_j * r) % group.L
    return group.base_mul(w), group.add(group.mul(w, key), group.base_mul(c_j * (j - m)))


def check_range(key: bytes, context: str, ciphertext: Ciphertext, lo: int, hi: int, proof) -> bool:
    """True when `proof` shows that `ciphertext` holds a value in lo..hi under `context`."""
    return _check_one_of(key, ciphertext, range(lo, hi + 1), proof,
                         lambda commitments: _range_hash(key, context, ciphertext, lo, hi, commitments))


def check_set(key: bytes, context: str, ciphertext: Ciphertext, values, proof) -> bool:
    """True when `proof` shows that `ciphertext` holds one of `values` under `context`."""
    values = tuple(values)
    return _check_one_of(key, ciphertext, values, proof,
                         lambda commitments: _set_hash(key, context, ciphertext, values, commitments))


def _check_one_of(key: bytes, ciphertext: Ciphertext, values, proof, challenge) -> bool:
    values = list(values)
    if not isinstance(proof, list) or len(proof) != len(values):
        return False
    try:
        branches = [(group.scalar_from_hex(c_j), group.scalar_from_hex(v_j)) for c_j, v_j in proof]
    except (group.GroupError, TypeError, ValueError):
        return False
    commitments = [_commitment(key, ciphertext, j, c_j, v_j) for j, (c_j, v_j) in zip(values, branches)]
    return sum(c_j for c_j, _ in branches) % group.L == challenge(commitments)


# --- threshold decryption ------------------------------------------------------------

def _share_hash(verification_key: bytes, context: str, a: bytes, d: bytes, commit_g: bytes, commit_a: bytes) -> int:
    return group.hash_to_scalar("decrypt", verification_key, group.text_part(context), a, d, commit_g, commit_a)


def decryption_share(secret: int, context: str, ciphertext: Ciphertext) -> dict:
    """{"d", "proof": [c, v]}: the teller's share x·A of one ciphertext, proved."""
    verification_key = group.base_mul(secret)
    d = group.mul(secret, ciphertext.a)
    u = group.random_scalar()
    c = _share_hash(verification_key, context, ciphertext.a, d, group.base_mul(u), group.mul(u, ciphertext.a))
    return {"d": d.hex(), "proof": [group.scalar_hex(c), group.scalar_hex(u + c * secret)]}


def check_share(verification_key: bytes, context: str, ciphertext: Ciphertext, share) -> bytes | None:
    """The share's point D when its proof holds, else None."""
    try:
        d = group.point_from_hex(share["d"])
        c, v = (group.scalar_from_hex(x) for x in share["proof"])
    except (group.GroupError, KeyError, TypeError, ValueError):
        return None
    commit_g = group.sub(group.base_mul(v), group.mul(c, verification_key))
    commit_a = group.sub(group.mul(v, ciphertext.a), group.mul(c, d))
    return d if _share_hash(verification_key, context, ciphertext.a, d, commit_g, commit_a) == c else None


def lagrange_at_zero(position: int, positions) -> int:
    numerator, denominator = 1, 1
    for other in positions:
        if other != position:
            numerator = numerator * other % group.L
            denominator = denominator * (other - position) % group.L
    return numerator * pow(denominator, -1, group.L) % group.L


def combine(ciphertext: Ciphertext, shares: dict[int, bytes]) -> bytes:
    """m·G from the shares {position: D} of any k tellers."""
    positions = sorted(shares)
    masked = group.total(group.mul(lagrange_at_zero(p, positions), shares[p]) for p in positions)
    return group.sub(ciphertext.b, masked)


def log_table(bound: int) -> dict[bytes, int]:
    """{m·G: m} for m in 0..bound: a count is at most the ballots cast, so a decrypted
    sum is looked up here; a point outside it is no count at all."""
    table, current, generator = {}, group.IDENTITY, group.base_mul(1)
    for m in range(bound + 1):
        table[current] = m
        current = group.add(current, generator)
    return table
