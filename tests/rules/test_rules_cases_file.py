"""The shared worked cases pass, both through the CLI and in process."""
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
