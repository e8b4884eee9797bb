"""The shared worked cases pass, both through the CLI and in process."""
import importlib
import io
import json
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from voting.rules.cases import main

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_cli_passes_every_shared_case(cases_path):
    completed = subprocess.run(
        [sys.executable, "-m", "voting.rules", str(cases_path)],
        cwd=PROJECT_ROOT, capture_output=True, text=True,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "FAIL" not in completed.stdout


def test_emit_equals_every_expectation(cases_path):
    out = io.StringIO()
    assert main([str(cases_path), "--emit"], out=out) == 0
    emitted = json.loads(out.getvalue())
    expected = {case["id"]: case["expect"] for case in json.loads(cases_path.read_text("utf-8"))["cases"]}
    assert emitted == expected


def write_cases(tmp_path, *cases) -> str:
    path = tmp_path / "cases.json"
    path.write_text(json.dumps({"cases": list(cases)}, ensure_ascii=False), "utf-8")
    return str(path)


SELECTION_CASE = {
    "id": "sel", "kind": "selection", "seats": 1, "total": 10, "present": 10, "cast": 10, "invalid": 0,
    "items": {"A": {"yes": 6, "no": 4}, "B": {"yes": 6, "no": 4}},
    "expect": {"items": {"A": "tie", "B": "tie"}, "runoff_items": ["A", "B"], "runoff_seats": 1, "seats_unfilled": 0},
}
APPRAISAL_CASE = {
    "id": "app", "kind": "appraisal", "total": 10, "present": 10, "cast": 10,
    "items": {"R": {"satisfied": 8, "unsatisfied": 2}},
    "expect": {"items": {"R": {"outcome": "satisfactory", "rate": "4/5"}}},
}


def run(argv) -> tuple:
    out = io.StringIO()
    return main(argv, out=out), out.getvalue()


def test_passing_file_prints_pass_per_case(tmp_path):
    code, printed = run([write_cases(tmp_path, SELECTION_CASE, APPRAISAL_CASE)])
    assert code == 0
    assert printed.splitlines()[:2] == ["PASS sel", "PASS app"]


def test_mismatch_fails_with_a_readable_diff(tmp_path):
    wrong = {**SELECTION_CASE, "expect": {"items": {"A": "selected", "C": "failed"}, "seats_unfilled": 0}}
    wrong_rate = {**APPRAISAL_CASE, "expect": {"items": {"R": {"outcome": "satisfactory", "rate": "3/4", "rank": 2}}}}
    code, printed = run([write_cases(tmp_path, wrong, wrong_rate)])
    assert code == 1
    assert "FAIL sel" in printed and "FAIL app" in printed
    assert '  items.A: expected "selected", got "tie"' in printed
    assert "  items: unexpected item 'B'" in printed
    assert '  items.C: expected "failed", item missing' in printed
    assert '  runoff_items: expected [], got ["A", "B"]' in printed
    assert '  items.R.rate: expected "3/4", got "4/5"' in printed
    assert "  items.R.rank: expected 2, got 1" in printed
    assert "0 passed, 2 failed" in printed


def test_a_case_that_cannot_be_counted_fails_with_its_error(tmp_path):
    broken = {**SELECTION_CASE, "rule": {"threshold": {"base": "members"}}}
    code, printed = run([write_cases(tmp_path, broken)])
    assert code == 1 and "FAIL sel" in printed and "error:" in printed
    code, printed = run([write_cases(tmp_path, broken, APPRAISAL_CASE), "--emit"])
    assert code == 1
    emitted = json.loads(printed)
    assert "members" in emitted["sel"]["error"] and emitted["app"] == APPRAISAL_CASE["expect"]


def test_emit_prints_results_in_the_expect_shape(tmp_path):
    void = {**SELECTION_CASE, "id": "void", "cast": 11, "present": 10}
    weighted = {**APPRAISAL_CASE, "id": "w", "rule": {"mode": "weighted"},
                "items": {"R": {"satisfied": 8, "unsatisfied": 2}, "S": {"unknown": 10}}}
    code, printed = run([write_cases(tmp_path, SELECTION_CASE, void, weighted), "--emit"])
    assert code == 0
    assert json.loads(printed) == {
        "sel": SELECTION_CASE["expect"],
        "void": {"items": {}, "void": True, "seats_unfilled": 1},
        "w": {"items": {"R": {"score": "80", "grade": "称职", "rank": 1}, "S": {"outcome": "no_valid_votes"}}},
    }


@pytest.mark.parametrize("content", ["not json", json.dumps({"tests": []}), json.dumps([1])])
def test_unreadable_files_exit_2(tmp_path, content, capsys):
    path = tmp_path / "cases.json"
    path.write_text(content, "utf-8")
    assert main([str(path)]) == 2
    assert main([str(tmp_path / "missing.json")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_module_entry_point_runs_the_checker(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["voting.rules", write_cases(tmp_path, APPRAISAL_CASE)])
    with pytest.raises(SystemExit) as exited:
        runpy.run_module("voting.rules", run_name="__main__")
    assert exited.value.code == 0
    assert "PASS app" in capsys.readouterr().out


def test_importing_the_entry_point_runs_nothing():
    assert importlib.import_module("voting.rules.__main__").main is main


def test_the_vendored_copy_equals_the_shared_cases():
    from tests.rules.conftest import VENDORED_CASES, shared_cases_path

    shared = shared_cases_path()
    if shared is None:
        pytest.skip("no shared/ beside this checkout: the vendored copy is the only one")
    assert json.loads(VENDORED_CASES.read_text("utf-8")) == json.loads(shared.read_text("utf-8"))
