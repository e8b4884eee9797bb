"""The tellers' cryptography (issue #17, docs/BOARD.md): exponential ElGamal in the
ristretto255 group through libsodium (pysodium), zero-knowledge proofs with a strong
Fiat-Shamir hash, a k-of-n Pedersen key generation with Feldman commitments, and
threshold decryption. Pure: imports neither Flask nor the database, so the independent
verifier (`python -m voting.verifier`) runs on a board file alone."""
