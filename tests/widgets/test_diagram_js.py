"""Runs the diagram's pure JavaScript helpers under Node's own test runner, where Node exists."""

import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).parent


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_diagram_js_helpers():
    result = subprocess.run(
        ["node", "--test", str(HERE / "diagram.test.mjs")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "# pass 4" in result.stdout
