"""The one canonical JSON serialization that is hashed and signed (API.md)."""
import json


def canonical_json(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
