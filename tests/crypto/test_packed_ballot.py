"""The packed encoding of a yes/no/abstain ballot (docs/BOARD.md, "Encrypted ballot"):
one ciphertext per item holding 1 (yes), B (no) or 0 (abstain), proved one of them; a
selection's other-option count sent in bits (each proved 0 or 2^i) and the yes count
left after dividing it out proved in 0..seats. Every forgery of issue #17 is refused, and a sum
of casts reads back as exact counts at every boundary."""
import copy

import pytest

from voting.crypto import elgamal, group
from voting.crypto.ballot import (
    PACKED, PACKED_BASE, BallotRejected, Shape, cast_digest, cast_form_digest, ciphertext_rows, encrypt_ballot,
    count_bits, item_counts, other_bits, verify_ballot,
)

SECRET = group.random_scalar()
KEY = group.base_mul(SECRET)
ITEMS = ("11", "12", "13", "14")
OPTIONS = ("yes", "no", "abstain")
SHAPE = Shape(5, ITEMS, OPTIONS, "yes", 2, PACKED)
CHOICES = {"11": "yes", "12": "no", "13": "yes", "14": "abstain"}


def decrypt(ciphertext):
    return group.sub(ciphertext.b, group.mul(SECRET, ciphertext.a))


def test_a_packed_cast_has_one_ciphertext_per_item_and_verifies():
    encrypted = encrypt_ballot(KEY, SHAPE, CHOICES)
    assert set(encrypted) == {"items", "limit"} and set(encrypted["limit"]) == {"bits", "within"}
    assert count_bits(SHAPE) == 3 and len(encrypted["limit"]["bits"]) == 3  # 4 items: a count of 0..7
    assert all(set(item) == {"id", "a", "b", "proof"} and len(item["proof"]) == 3 for item in encrypted["items"])
    tracker, rows = verify_ballot(KEY, SHAPE, encrypted)
    assert [len(row) for row in rows] == [1, 1, 1, 1]
    assert [decrypt(row[0]) for row in rows] == [group.base_mul(v) for v in (1, PACKED_BASE, 1, 0)]
    bits = other_bits(SHAPE, encrypted)
    assert [decrypt(bit) for bit in bits] == [group.base_mul(1), group.IDENTITY, group.IDENTITY]  # one "no"
    assert cast_form_digest(SHAPE, encrypted) == cast_digest(SHAPE, rows, bits)


def test_a_packed_shape_needs_two_options_and_abstain_and_items_far_below_b():
    with pytest.raises(ValueError):
        Shape(5, ITEMS, ("satisfied", "basically_satisfied", "unsatisfied", "abstain"), None, None, PACKED)
    many = tuple(str(i) for i in range(PACKED_BASE // 2))
    with pytest.raises(ValueError):
        Shape(5, many, OPTIONS, "yes", 2, PACKED)
    assert Shape(5, many[:-1], OPTIONS, "yes", 2, PACKED).packed


def _with_item(encrypted, index, value, proof_values):
    """Item `index` replaced by an encryption of `value` with a true proof that it is one
    of `proof_values` (which the ballot's {1, B, 0} is not)."""
    ciphertext, r = elgamal.encrypt(KEY, value)
    forged = copy.deepcopy(encrypted)
    forged["items"][index].update(ciphertext.to_json())
    forged["items"][index]["proof"] = elgamal.prove_set(KEY, "anything", ciphertext, r, value, proof_values)
    return forged


@pytest.mark.parametrize("value", [2, PACKED_BASE + 1, PACKED_BASE - 1, 2 * PACKED_BASE])
def test_an_item_holding_anything_but_yes_no_or_abstain_is_refused(value):
    honest = encrypt_ballot(KEY, Shape(5, ITEMS, OPTIONS, None, None, PACKED), CHOICES)
    with pytest.raises(BallotRejected):
        verify_ballot(KEY, Shape(5, ITEMS, OPTIONS, None, None, PACKED),
                      _with_item(honest, 0, value, [value, PACKED_BASE, 0]))


def test_more_yes_than_seats_is_refused_however_the_other_count_is_given():
    three_yes = {**CHOICES, "14": "yes"}
    forged = encrypt_ballot(KEY, Shape(5, ITEMS, OPTIONS, "yes", 3, PACKED), three_yes)  # proved for 3 seats
    with pytest.raises(BallotRejected):
        verify_ballot(KEY, SHAPE, forged)
    # the other count chosen so that what is left is 2 yes: it is then no sum of bits at all
    honest = encrypt_ballot(KEY, Shape(5, ITEMS, OPTIONS, "yes", 3, PACKED), three_yes)
    rows = ciphertext_rows(SHAPE, honest)
    lie = (1 + (3 - 2) * pow(PACKED_BASE, -1, group.L)) % group.L  # T − B·lie holds 2
    other, _ = elgamal.encrypt(KEY, lie)
    within = elgamal.product(row[0] for row in rows) * elgamal.scaled(other, group.L - PACKED_BASE)
    assert decrypt(within) == group.base_mul(2)
    forged = copy.deepcopy(honest)
    forged["limit"]["bits"][0].update(other.to_json())  # the lie as bit 0, bits 1 and 2 holding 0
    for bit in forged["limit"]["bits"][1:]:
        zero, _ = elgamal.encrypt(KEY, 0)
        bit.update(zero.to_json())
    with pytest.raises(BallotRejected):
        verify_ballot(KEY, SHAPE, forged)
    # a bit holding 2^i + 1, its proof true for the values it claims, is refused too
    bad, r = elgamal.encrypt(KEY, 3)
    forged = copy.deepcopy(honest)
    forged["limit"]["bits"][1].update(bad.to_json())
    forged["limit"]["bits"][1]["proof"] = elgamal.prove_set(KEY, "x", bad, r, 3, (0, 3))
    with pytest.raises(BallotRejected):
        verify_ballot(KEY, SHAPE, forged)


def test_a_limit_of_the_wrong_form_is_refused():
    honest = encrypt_ballot(KEY, SHAPE, CHOICES)
    for change in (lambda limit: limit["bits"].pop(), lambda limit: limit.pop("within"),
                   lambda limit: limit["bits"][0].pop("proof"), lambda limit: limit.update(bits="x")):
        forged = copy.deepcopy(honest)
        change(forged["limit"])
        with pytest.raises(BallotRejected):
            verify_ballot(KEY, SHAPE, forged)
        with pytest.raises(BallotRejected):
            cast_form_digest(SHAPE, forged)


def test_a_proof_copied_from_another_cast_or_ballot_fails():
    first, second = encrypt_ballot(KEY, SHAPE, CHOICES), encrypt_ballot(KEY, SHAPE, CHOICES)
    second["items"][0] = copy.deepcopy(first["items"][0])  # ciphertext and its proof
    with pytest.raises(BallotRejected):
        verify_ballot(KEY, SHAPE, second)
    third = encrypt_ballot(KEY, SHAPE, CHOICES)
    third["limit"] = copy.deepcopy(first["limit"])
    with pytest.raises(BallotRejected):
        verify_ballot(KEY, SHAPE, third)
    with pytest.raises(BallotRejected):
        verify_ballot(KEY, SHAPE, encrypt_ballot(KEY, Shape(6, ITEMS, OPTIONS, "yes", 2, PACKED), CHOICES))


def test_a_cast_in_the_other_encoding_is_refused_by_its_form():
    one_hot = Shape(5, ITEMS, OPTIONS, "yes", 2)
    with pytest.raises(BallotRejected):
        verify_ballot(KEY, SHAPE, encrypt_ballot(KEY, one_hot, CHOICES))
    with pytest.raises(BallotRejected):
        cast_form_digest(SHAPE, encrypt_ballot(KEY, one_hot, CHOICES))
    with pytest.raises(BallotRejected):
        verify_ballot(KEY, one_hot, encrypt_ballot(KEY, SHAPE, CHOICES))


@pytest.mark.parametrize("marks", [
    [],  # no cast at all
    ["yes"] * 7, ["no"] * 7, ["abstain"] * 7,
    ["yes", "no", "abstain", "no", "no", "yes", "abstain"],
])
def test_a_packed_sum_reads_back_as_exact_counts(marks):
    shape = Shape(5, ("1",), OPTIONS, None, None, PACKED)
    casts = [verify_ballot(KEY, shape, encrypt_ballot(KEY, shape, {"1": mark}))[1][0][0] for mark in marks]
    point = decrypt(elgamal.product(casts))
    counts = item_counts(shape, [point], len(marks), elgamal.log_table(len(marks)))
    assert counts == {option: marks.count(option) for option in OPTIONS}


def test_a_sum_that_is_no_count_of_the_casts_reads_as_none():
    shape = Shape(5, ("1",), OPTIONS, None, None, PACKED)
    table = elgamal.log_table(3)
    assert item_counts(shape, [group.base_mul(4)], 3, table) is None  # 4 yes of 3 casts
    assert item_counts(shape, [group.base_mul(2 + 2 * PACKED_BASE)], 3, table) is None  # 2 yes + 2 no of 3
    assert item_counts(shape, [group.base_mul(1)], PACKED_BASE, table) is None  # more casts than B: no reading
