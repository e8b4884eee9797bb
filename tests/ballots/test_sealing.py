"""Sealing: X25519 + HKDF + AES-GCM, fixed length, trackers, wrapped ballot keys."""
import re

import pytest

from voting.integrity import sealing


def test_seal_and_unseal_round_trip(app):
    public, wrapped = sealing.new_ballot_keys(7)
    private = sealing.unwrap_private_key(7, wrapped)
    sealed = sealing.seal(public, 7, b'{"1":"yes"}', 128)
    assert sealing.unseal(private, 7, sealed) == b'{"1":"yes"}'


def test_sealed_ballots_of_one_ballot_have_one_length(app):
    public, _ = sealing.new_ballot_keys(1)
    length = sealing.padded_length(60)
    sizes = {len(sealing.seal(public, 1, text, length)) for text in (b"{}", b'{"1":"no"}', b"x" * 60)}
    assert len(sizes) == 1


def test_same_choices_seal_differently(app):
    public, _ = sealing.new_ballot_keys(1)
    first, second = (sealing.seal(public, 1, b'{"1":"yes"}', 64) for _ in range(2))
    assert first != second and sealing.tracker_for(first) != sealing.tracker_for(second)


def test_tracker_format(app):
    public, _ = sealing.new_ballot_keys(1)
    tracker = sealing.tracker_for(sealing.seal(public, 1, b"{}", 64))
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", tracker)


def test_changed_byte_or_other_ballot_does_not_open(app):
    public, wrapped = sealing.new_ballot_keys(3)
    private = sealing.unwrap_private_key(3, wrapped)
    sealed = bytearray(sealing.seal(public, 3, b'{"1":"yes"}', 64))
    sealed[-1] ^= 1
    with pytest.raises(sealing.SealError):
        sealing.unseal(private, 3, bytes(sealed))
    good = sealing.seal(public, 3, b'{"1":"yes"}', 64)
    with pytest.raises(sealing.SealError):
        sealing.unseal(private, 4, good)  # sealed for ballot 3, presented as ballot 4
    with pytest.raises(sealing.SealError):
        sealing.unwrap_private_key(4, wrapped)  # the wrapped key is bound to its ballot


def test_plaintext_not_visible_in_sealed_bytes(app):
    public, _ = sealing.new_ballot_keys(1)
    sealed = sealing.seal(public, 1, b'{"12":"yes","13":"abstain"}', 128)
    assert b"yes" not in sealed and b"abstain" not in sealed


def test_too_long_plaintext_is_a_bug(app):
    public, _ = sealing.new_ballot_keys(1)
    with pytest.raises(ValueError):
        sealing.seal(public, 1, b"x" * 100, 64)
