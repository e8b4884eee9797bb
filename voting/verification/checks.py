"""What `flask verify` and /verify check. Each domain adds its checks to CHECKS."""
from typing import Callable

from voting.integrity import audit

# Each check: (ballot_id or None, echo) -> list of problems (Chinese text).
CHECKS: list[Callable] = []


def audit_chain_check(ballot_id, echo) -> list[str]:
    problems = audit.check_chain()
    echo(f"审计日志哈希链: {'通过' if not problems else '不符'}")
    return problems


CHECKS.append(audit_chain_check)


def run_checks(ballot_id=None, echo=print) -> list[str]:
    import importlib

    for name in ("voting.ballots.verification",):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as missing:
            if missing.name != name and not name.startswith(missing.name or "?"):
                raise
    problems: list[str] = []
    for check in CHECKS:
        problems.extend(check(ballot_id, echo))
    return problems
