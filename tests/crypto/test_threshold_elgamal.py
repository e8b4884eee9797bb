"""The tellers' cryptography on its own (voting/crypto): proofs that accept what is
true and refuse every forgery of issue #17, a 2-of-3 key from a DKG, and threshold
decryption that needs k shares."""
import copy

import pytest

from voting.crypto import dkg, elgamal, group, transport
from voting.crypto.ballot import BallotRejected, Shape, encrypt_ballot, verify_ballot


def ceremony(threshold=2, size=3):
    polynomials = [dkg.new_polynomial(threshold) for _ in range(size)]
    commitments = [dkg.commitments(p) for p in polynomials]
    shares = {j: sum(dkg.evaluate(p, j) for p in polynomials) % group.L for j in range(1, size + 1)}
    return dkg.joint_key(commitments), commitments, shares


KEY, COMMITMENTS, SHARES = ceremony()
ITEMS = tuple(str(i) for i in (11, 12, 13, 14))
SHAPE = Shape(ballot_id=5, item_ids=ITEMS, options=("yes", "no", "abstain"), limited_option="yes", limit=2)
CHOICES = {"11": "yes", "12": "no", "13": "yes", "14": "abstain"}


def test_dkg_shares_match_the_public_verification_keys_and_the_joint_key():
    for position, share in SHARES.items():
        assert dkg.verification_key(COMMITMENTS, position) == group.base_mul(share)
    secret = sum(elgamal.lagrange_at_zero(p, [1, 3]) * SHARES[p] for p in (1, 3)) % group.L
    assert group.base_mul(secret) == KEY


def test_a_share_off_the_commitments_is_detected_and_a_knowledge_proof_binds_its_context():
    coefficients = dkg.new_polynomial(2)
    commitments = dkg.commitments(coefficients)
    assert dkg.share_matches(commitments, 2, dkg.evaluate(coefficients, 2))
    assert not dkg.share_matches(commitments, 2, dkg.evaluate(coefficients, 2) + 1)
    proof = dkg.prove_knowledge("meeting:1|teller:1", coefficients[0])
    assert dkg.check_knowledge("meeting:1|teller:1", commitments[0], proof)
    assert not dkg.check_knowledge("meeting:1|teller:2", commitments[0], proof)


def test_an_honest_ballot_verifies_and_its_tracker_is_its_ciphertexts_digest():
    encrypted = encrypt_ballot(KEY, SHAPE, CHOICES)
    tracker, rows = verify_ballot(KEY, SHAPE, encrypted)
    assert len(rows) == 4 and all(len(row) == 3 for row in rows)
    assert tracker == verify_ballot(KEY, SHAPE, copy.deepcopy(encrypted))[0]
    assert tracker != verify_ballot(KEY, SHAPE, encrypt_ballot(KEY, SHAPE, CHOICES))[0]


def _forge_two_for_one_yes():
    """Item 11's yes ciphertext replaced by an encryption of 2, with honest-looking proofs."""
    encrypted = encrypt_ballot(KEY, SHAPE, CHOICES)
    two, r = elgamal.encrypt(KEY, 2)
    encrypted["items"][0]["choices"][0].update(two.to_json())
    return encrypted


@pytest.mark.parametrize("forge", [
    _forge_two_for_one_yes,
    lambda: encrypt_ballot(KEY, Shape(5, ITEMS, SHAPE.options, "yes", 3), {**CHOICES, "14": "yes"}),  # 3 yes > 2 seats
    lambda: encrypt_ballot(KEY, Shape(6, ITEMS, SHAPE.options, "yes", 2), CHOICES),  # made for ballot 6
])
def test_forged_ballots_are_rejected(forge):
    with pytest.raises(BallotRejected):
        verify_ballot(KEY, SHAPE, forge())


def test_a_proof_copied_from_another_cast_fails():
    first, second = encrypt_ballot(KEY, SHAPE, CHOICES), encrypt_ballot(KEY, SHAPE, CHOICES)
    second["items"][0]["choices"][0] = copy.deepcopy(first["items"][0]["choices"][0])  # ciphertext and its proof
    with pytest.raises(BallotRejected):
        verify_ballot(KEY, SHAPE, second)


def test_an_item_marked_twice_is_rejected_even_with_valid_bit_proofs():
    # yes and no both 1 on item 11: each 0/1 proof holds, the "exactly one" proof cannot be made
    shape = Shape(5, ITEMS, SHAPE.options, None, None)
    honest = encrypt_ballot(KEY, shape, CHOICES)
    forged = encrypt_ballot(KEY, shape, {**CHOICES, "11": "no"})
    honest["items"][0]["choices"][1] = forged["items"][0]["choices"][1]
    with pytest.raises(BallotRejected):
        verify_ballot(KEY, shape, honest)


def test_threshold_decryption_needs_k_shares():
    casts = [verify_ballot(KEY, SHAPE, encrypt_ballot(KEY, SHAPE, CHOICES))[1] for _ in range(3)]
    yes_of_11 = elgamal.product(rows[0][0] for rows in casts)
    table = elgamal.log_table(3)
    points = {}
    for position in (1, 2, 3):
        share = elgamal.decryption_share(SHARES[position], "ctx", yes_of_11)
        points[position] = elgamal.check_share(group.base_mul(SHARES[position]), "ctx", yes_of_11, share)
        assert points[position] is not None
    for pair in ((1, 2), (1, 3), (2, 3)):
        assert table[elgamal.combine(yes_of_11, {p: points[p] for p in pair})] == 3
    # one share (k-1) and everything public: no count comes out
    assert elgamal.combine(yes_of_11, {1: points[1]}) not in table


def test_a_decryption_share_with_a_wrong_point_or_context_is_refused():
    ciphertext, _ = elgamal.encrypt(KEY, 1)
    share = elgamal.decryption_share(SHARES[1], "ballot:1", ciphertext)
    verification_key = group.base_mul(SHARES[1])
    assert elgamal.check_share(verification_key, "ballot:1", ciphertext, share) is not None
    assert elgamal.check_share(verification_key, "ballot:2", ciphertext, share) is None
    tampered = {**share, "d": group.add(group.point_from_hex(share["d"]), group.base_mul(1)).hex()}
    assert elgamal.check_share(verification_key, "ballot:1", ciphertext, tampered) is None


def test_a_dealt_share_opens_only_for_its_recipient_and_its_label():
    secret = group.random_scalar()
    sealed = transport.seal_share(group.base_mul(secret), 424242, b"meeting:1|from:1|to:2")
    assert transport.open_share(secret, sealed, b"meeting:1|from:1|to:2") == 424242
    with pytest.raises(group.GroupError):
        transport.open_share(secret, sealed, b"meeting:1|from:1|to:3")
    with pytest.raises(group.GroupError):
        transport.open_share(secret + 1, sealed, b"meeting:1|from:1|to:2")


def test_non_canonical_encodings_are_refused():
    with pytest.raises(group.GroupError):
        group.scalar_from_hex(group.L.to_bytes(32, "little").hex())
    with pytest.raises(group.GroupError):
        group.point_from_hex("ff" * 32)
    with pytest.raises(group.GroupError):
        group.point_from_hex(group.base_mul(1).hex().upper())


def test_the_form_digest_is_the_cast_digest_and_refuses_what_is_not_lower_case_hex():
    """cast_form_digest (a queued cast's door, all points decoded at once) hashes the
    same bytes as cast_digest, and refuses any point text point_from_hex would refuse
    for its form: wrong length, upper case, a space, a non-hex character."""
    from voting.crypto.ballot import cast_digest, cast_form_digest, ciphertext_rows

    encrypted = encrypt_ballot(KEY, SHAPE, CHOICES)
    assert cast_form_digest(SHAPE, encrypted) == cast_digest(SHAPE, ciphertext_rows(SHAPE, encrypted))
    good = encrypted["items"][2]["choices"][1]["b"]
    for bad in (good.upper(), good[:62] + " " + good[63], good[:63] + "g", good[:62], good + "00", 7):
        forged = copy.deepcopy(encrypted)
        forged["items"][2]["choices"][1]["b"] = bad
        with pytest.raises(BallotRejected):
            cast_form_digest(SHAPE, forged)
