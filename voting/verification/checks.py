"""What `flask verify` checks: `all_checks` names every check."""
from typing import Callable

from voting.integrity import audit

# Each check: (ballot_id or None, echo) -> list of problems (Chinese text).


def audit_chain_check(ballot_id, echo) -> list[str]:
    problems = audit.check_chain()
    echo(f"审计日志哈希链: {'通过' if not problems else '不符'}")
    return problems


def _normalized(fingerprint: str) -> str:
    return "".join(fingerprint.split()).upper()


def pinned_fingerprint() -> str:
    """SIGNING_KEY_FINGERPRINT as configured (stripped), "" when not set."""
    from flask import current_app

    return (current_app.config.get("SIGNING_KEY_FINGERPRINT") or "").strip()


def matches_pin(fingerprint: str) -> bool | None:
    """Whether a key fingerprint is the pinned one; None when nothing is pinned."""
    pinned = pinned_fingerprint()
    return _normalized(pinned) == _normalized(fingerprint) if pinned else None


def signing_key_pin_check(ballot_id, echo) -> list[str]:
    """SIGNING_KEY_FINGERPRINT (set in the service's environment, outside instance/, and
    printed on every sheet): the installation's signing key must be that key, so that
    replacing instance/signing.pem and re-signing every sheet is caught. Without the
    setting, verify says so and trusts the key in the key folder."""
    from voting.integrity import keys

    pinned = pinned_fingerprint()
    actual = keys.fingerprint(keys.public_key_b64())
    same = matches_pin(actual)
    if same is None:
        echo(f"签名公钥指纹: {actual}（未配置 SIGNING_KEY_FINGERPRINT，无法核对密钥是否被替换）")
        return []
    echo(f"签名公钥指纹: {actual}，与配置的 SIGNING_KEY_FINGERPRINT {'一致' if same else '不符'}")
    return [] if same else [f"签名密钥的指纹 {actual} 不是配置的 {pinned}：密钥文件可能被替换"]




def all_checks() -> list[Callable]:
    """Every check `flask verify` runs, by name, in this order."""
    from voting.ballots.verification import anchors_check, ballots_check
    from voting.tellers.board import boards_check

    return [audit_chain_check, signing_key_pin_check, ballots_check, anchors_check, boards_check]


def run_checks(ballot_id=None, echo=print) -> list[str]:
    problems: list[str] = []
    for check in all_checks():
        problems.extend(check(ballot_id, echo))
    return problems
