"""The tellers (监票人) of a meeting and their k-of-n key (issue #17, docs/BOARD.md)."""
