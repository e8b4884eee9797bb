"""The house's shape (issue #16), checked on every run: no import cycle in voting/, no
module a newcomer cannot hold, no hidden wiring, exact numbers and option lists only
in voting/rules/."""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_LINES = 400


def _modules():
    return [path for path in (ROOT / "voting").rglob("*.py") if "migrations" not in path.parts]


def test_no_import_cycle():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import import_cycles
    finally:
        sys.path.pop(0)
    assert import_cycles.cycles(import_cycles.graph()) == []


def test_no_module_over_400_lines():
    long = {str(path.relative_to(ROOT)): n for path in _modules()
            if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def test_no_hidden_wiring():
    for path in _modules():
        text = path.read_text()
        assert "importlib" not in text, path
        assert "before_flush" not in text and "listens_for(Session" not in text, path
        assert "view_functions" not in text, path


def test_fractions_and_option_lists_live_in_the_rules():
    option_list = re.compile(r"\[\s*\"(yes|satisfied)\",\s*\"(no|basically_satisfied)\"")
    for path in _modules():
        if "rules" in path.relative_to(ROOT / "voting").parts:
            continue
        text = path.read_text()
        assert "Fraction" not in text, path
        assert not option_list.search(text), path
