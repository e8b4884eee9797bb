"""Checking a signed tally sheet with the public key it names alone (API.md): pure, so
the independent verifier (`python -m voting.verifier`) uses it without Flask."""
import base64

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from voting.integrity.canonical import canonical_json


def verify_sheet(sheet: dict) -> bool:
    """Ed25519 over the sheet without its "signature", serialized canonically."""
    signature = sheet.get("signature") or {}
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(signature["public_key"]))
        body = {k: v for k, v in sheet.items() if k != "signature"}
        public.verify(base64.b64decode(signature["value"]), canonical_json(body))
    except (InvalidSignature, KeyError, ValueError, TypeError):
        return False
    return True
