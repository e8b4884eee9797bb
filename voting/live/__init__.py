"""Live updates of a sitting: the meeting snapshot, the per-process hub that polls the
database for changes, the hall screen token and the SSE / JSON endpoints.

No state lives in one process only: every process polls the database itself, so a
vote counted by one gunicorn worker reaches the streams of every other worker.
"""
