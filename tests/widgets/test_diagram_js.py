"""Runs the widgets' pure JavaScript helpers under Node's own test runner, where Node exists."""

import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).parent


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
@pytest.mark.parametrize(("name", "count"), [("diagram.test.mjs", 8), ("terms.test.mjs", 2)])
def test_js_helpers(name, count):
    result = subprocess.run(
        ["node", "--test", str(HERE / name)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"# pass {count}" in result.stdout
