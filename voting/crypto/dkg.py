"""The tellers' k-of-n key, made on their own devices (Pedersen's distributed key
generation with Feldman commitments, as Belenios's threshold mode does).

Teller i (positions 1..n) draws a polynomial f_i of degree k−1 and publishes the
commitments C_i,t = a_i,t·G with a Schnorr proof of knowledge of a_i,0; to every teller
j it sends f_i(j), sealed to j's transport key (`voting.crypto.transport`). Teller j
checks each received share against the commitments (s·G = Σ_t j^t·C_i,t) and keeps
x_j = Σ_i f_i(j). Public: the joint key K = Σ_i C_i,0 and each teller's verification
key X_j = Σ_i Σ_t j^t·C_i,t = x_j·G. The server relays and stores only public parts."""
from voting.crypto import group


def new_polynomial(threshold: int) -> list[int]:
    return [group.random_scalar() for _ in range(threshold)]


def evaluate(coefficients: list[int], position: int) -> int:
    result = 0
    for coefficient in reversed(coefficients):
        result = (result * position + coefficient) % group.L
    return result


def commitments(coefficients: list[int]) -> list[bytes]:
    return [group.base_mul(a) for a in coefficients]


def _pok_hash(context: str, commitment: bytes, nonce_point: bytes) -> int:
    return group.hash_to_scalar("key-pok", group.text_part(context), commitment, nonce_point)


def prove_knowledge(context: str, secret: int) -> list[str]:
    """[c, v]: a Schnorr proof that the teller knows log_G of its first commitment."""
    u = group.random_scalar()
    c = _pok_hash(context, group.base_mul(secret), group.base_mul(u))
    return [group.scalar_hex(c), group.scalar_hex(u + c * secret)]


def check_knowledge(context: str, commitment: bytes, proof) -> bool:
    try:
        c, v = (group.scalar_from_hex(x) for x in proof)
    except (group.GroupError, TypeError, ValueError):
        return False
    nonce_point = group.sub(group.base_mul(v), group.mul(c, commitment))
    return _pok_hash(context, commitment, nonce_point) == c


def committed_value(commitment_list: list[bytes], position: int) -> bytes:
    """Σ_t position^t·C_t: what f(position)·G must be."""
    return group.total(group.mul(pow(position, t, group.L), c) for t, c in enumerate(commitment_list))


def share_matches(commitment_list: list[bytes], position: int, share: int) -> bool:
    return group.base_mul(share) == committed_value(commitment_list, position)


def joint_key(all_commitments: list[list[bytes]]) -> bytes:
    return group.total(c[0] for c in all_commitments)


def verification_key(all_commitments: list[list[bytes]], position: int) -> bytes:
    return group.total(committed_value(c, position) for c in all_commitments)


def ceremony_context(meeting_id: int, position: int) -> str:
    return f"meeting:{meeting_id}|teller:{position}"
