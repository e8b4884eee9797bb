"""Ballots (表决): models, services, counting and verification."""
