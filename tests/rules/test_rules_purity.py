"""voting.rules is pure: standard library only, no floats, no web framework loaded."""
import ast
import io
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RULES_DIR = PROJECT_ROOT / "voting" / "rules"
RULES_SOURCES = sorted(RULES_DIR.glob("*.py"))
FRAMEWORKS = ("flask", "sqlalchemy")

REPORT_LOADED_FRAMEWORKS = """
import sys
loaded = sorted(name for name in sys.modules
                if name.split('.')[0].lower().startswith(('flask', 'sqlalchemy')))
print(','.join(loaded))
"""

# voting/__init__.py is the Flask app factory; binding a bare package object first
# imports voting.rules exactly as it is, without running the factory module.
WITHOUT_APP_FACTORY = """
import sys, types
package = types.ModuleType('voting')
package.__path__ = [{voting_dir!r}]
sys.modules['voting'] = package
"""


def loaded_frameworks(prelude: str) -> list:
    code = prelude + "\nimport voting.rules\nvoting.rules.tally\n" + REPORT_LOADED_FRAMEWORKS
    completed = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
    return [name for name in completed.stdout.strip().split(",") if name]


def test_rules_package_loads_neither_flask_nor_sqlalchemy():
    prelude = WITHOUT_APP_FACTORY.format(voting_dir=str(PROJECT_ROOT / "voting"))
    assert loaded_frameworks(prelude) == []


def test_plain_import_of_voting_rules_loads_neither_flask_nor_sqlalchemy():
    assert loaded_frameworks("") == []


def imported_modules(path: Path) -> list:
    modules = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            modules += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            modules.append("." * node.level + (node.module or ""))
    return modules


@pytest.mark.parametrize("path", RULES_SOURCES, ids=lambda path: path.name)
def test_rules_import_only_the_standard_library_and_themselves(path):
    for module in imported_modules(path):
        inside_rules = module.startswith(".") or module == "voting.rules" or module.startswith("voting.rules.")
        assert inside_rules or module.split(".")[0] in sys.stdlib_module_names, f"{path.name} imports {module}"


@pytest.mark.parametrize("path", RULES_SOURCES, ids=lambda path: path.name)
def test_rules_never_use_floats(path):
    source = path.read_text("utf-8")
    assert "float(" not in source
    numbers = [token.string for token in tokenize.generate_tokens(io.StringIO(source).readline)
               if token.type == tokenize.NUMBER]
    assert not [number for number in numbers if any(mark in number.lower() for mark in ".ej")]


def test_rules_read_no_clock():
    for path in RULES_SOURCES:
        modules = imported_modules(path)
        assert "time" not in modules and "datetime" not in modules, path.name
