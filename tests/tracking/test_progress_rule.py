"""The status rule: pure, with the day passed in."""
import ast
import sys
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

from voting.tracking import progress
from voting.tracking.progress import project_status

TODAY = date(2026, 7, 1)


def ms(due, done=None):
    return SimpleNamespace(due_date=due, done_at=done)


@pytest.mark.parametrize("percent, milestones, planned, expected", [
    (0, [], None, "not_started"),
    (1, [], None, "in_progress"),
    (99, [], None, "in_progress"),
    (100, [], None, "completed"),
    # a milestone past its date and not done flags the project
    (40, [ms(date(2026, 6, 30))], None, "delayed"),
    (0, [ms(date(2026, 6, 30))], None, "delayed"),
    # due today is not yet overdue; done milestones never are
    (40, [ms(TODAY)], None, "in_progress"),
    (40, [ms(date(2026, 6, 30), done=date(2026, 7, 1))], None, "in_progress"),
    (40, [ms(date(2026, 6, 1), done=date(2026, 5, 20)), ms(date(2026, 8, 1))], None, "in_progress"),
    # the planned completion date counts as the last milestone
    (60, [], date(2026, 6, 30), "delayed"),
    (60, [], TODAY, "in_progress"),
    # a completed project is never delayed
    (100, [ms(date(2026, 1, 1))], date(2026, 2, 1), "completed"),
])
def test_status(percent, milestones, planned, expected):
    assert project_status(percent, milestones, TODAY, planned) == expected


def test_overdue_lists_only_late_open_milestones():
    late, done, future = ms(date(2026, 5, 1)), ms(date(2026, 5, 1), date(2026, 5, 2)), ms(date(2026, 9, 1))
    assert progress.overdue([late, done, future], TODAY) == [late]


def test_the_rule_reads_no_clock_and_imports_only_the_standard_library():
    source = Path(progress.__file__).read_text(encoding="utf-8")
    tree = ast.parse(source)
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module.split(".")[0])
    assert imported <= set(sys.stdlib_module_names)
    assert "today()" not in source and "now()" not in source
