"""What the faster proofs rely on (voting/crypto/group.py, elgamal.py): the kept
multiples j·G are libsodium's base_mul of j, the identity shortcuts and the direct
libsodium calls give pysodium's bytes, the prover's simulated commitments are the
verifier's points, every tampered branch still fails, and a ballot made from fixed
randomness is byte for byte what it was before the shortcuts."""
import hashlib
import json
import random

import pysodium
import pytest

from voting.crypto import elgamal, group
from voting.crypto.ballot import Shape, encrypt_ballot, verify_ballot

KEY = group.base_mul(group.random_scalar())


def _libsodium_base(k: int) -> bytes:
    return pysodium.crypto_scalarmult_ristretto255_base(group.scalar_bytes(k))


def test_the_kept_multiples_of_g_are_libsodiums_base_mul():
    assert group.base_mul(0) == group.base_mul(group.L) == group.IDENTITY
    for j in [*range(1, 65), group.SMALL_MULTIPLES - 1, group.SMALL_MULTIPLES, group.L + 3, group.L - 1]:
        assert group.base_mul(j) == _libsodium_base(j), j


def test_add_sub_mul_give_pysodiums_bytes_identity_included():
    p, q = group.base_mul(group.random_scalar()), group.base_mul(group.random_scalar())
    k, identity = group.random_scalar(), group.IDENTITY
    assert group.mul(k, p) == pysodium.crypto_scalarmult_ristretto255(group.scalar_bytes(k), p)
    assert group.mul(0, p) == group.mul(k, identity) == identity
    for x, y in [(p, q), (p, identity), (identity, q), (identity, identity), (p, p)]:
        assert group.add(x, y) == pysodium.crypto_core_ristretto255_add(x, y)
        assert group.sub(x, y) == pysodium.crypto_core_ristretto255_sub(x, y)
    assert group.sub(p, p) == identity and group.add(group.sub(identity, p), p) == identity


def test_bad_points_are_still_refused_by_the_direct_calls():
    p, bad = group.base_mul(7), b"\xff" * 32
    for call in (lambda: group.mul(3, bad), lambda: group.add(p, bad), lambda: group.sub(bad, p),
                 lambda: group.add(group.IDENTITY, p[:31]), lambda: group.sub(p[:31], group.IDENTITY),
                 lambda: group.mul(3, p + b"\x00")):
        with pytest.raises(ValueError):
            call()


@pytest.mark.parametrize("m", [0, 1, 3])
def test_the_provers_simulated_commitments_are_the_verifiers_points(m):
    ciphertext, r = elgamal.encrypt(KEY, m)
    for j in range(0, 5):
        if j != m:
            c_j, v_j = group.random_scalar(), group.random_scalar()
            assert elgamal._simulated_commitment(KEY, r, m, j, c_j, v_j) == \
                elgamal._commitment(KEY, ciphertext, j, c_j, v_j)


def test_the_provers_product_is_the_product_of_the_ciphertexts():
    pairs = [elgamal.encrypt(KEY, m) for m in (1, 0, 1, 1, 0)]
    assert elgamal.encryption(KEY, 3, sum(r for _, r in pairs)) == elgamal.product(c for c, _ in pairs)


def test_check_range_refuses_every_tampered_branch():
    ciphertext, r = elgamal.encrypt(KEY, 3)
    proof = elgamal.prove_range(KEY, "ctx", ciphertext, r, 3, 0, 5)
    assert elgamal.check_range(KEY, "ctx", ciphertext, 0, 5, proof)
    assert not elgamal.check_range(KEY, "ctx2", ciphertext, 0, 5, proof)
    for index in range(len(proof)):
        for half in (0, 1):
            tampered = [list(branch) for branch in proof]
            tampered[index][half] = group.scalar_hex(group.scalar_from_hex(proof[index][half]) + 1)
            assert not elgamal.check_range(KEY, "ctx", ciphertext, 0, 5, tampered), (index, half)
    swapped = [proof[1], proof[0], *proof[2:]]
    assert not elgamal.check_range(KEY, "ctx", ciphertext, 0, 5, swapped)
    zero, r0 = elgamal.encrypt(KEY, 0)  # a proof of j = 0 (the branch that skips B − 0·G)
    assert elgamal.check_range(KEY, "ctx", zero, 0, 1, elgamal.prove_range(KEY, "ctx", zero, r0, 0, 0, 1))
    assert not elgamal.check_range(KEY, "ctx", zero, 1, 2, elgamal.prove_range(KEY, "ctx", zero, r0, 0, 0, 1))


# SHA-256 of the ballot below as made by the code before the shortcuts (commit ae9a3b7)
PINNED = "122442239c6cc755152c85f15c4b0ba455741b857215a5a8f9591e1674960423"


def test_a_ballot_from_fixed_randomness_is_unchanged(monkeypatch):
    rng = random.Random(17)
    monkeypatch.setattr(group, "random_scalar", lambda: 1 + rng.randrange(group.L - 1))
    key = group.base_mul(group.random_scalar())
    shape = Shape(9, ("1", "2", "3", "4"), ("yes", "no", "abstain"), "yes", 3)
    encrypted = encrypt_ballot(key, shape, {"1": "yes", "2": "no", "3": "yes", "4": "abstain"})
    verify_ballot(key, shape, encrypted)
    assert hashlib.sha256(json.dumps(encrypted, sort_keys=True).encode()).hexdigest() == PINNED
