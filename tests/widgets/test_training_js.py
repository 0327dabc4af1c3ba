"""The dashboard's theme reporter (static/training.js): its colour parser under Node's runner."""

import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).parent


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_the_theme_reporter_parses_the_colours_the_browser_computes():
    result = subprocess.run(
        ["node", "--test", str(HERE / "training.test.mjs")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "# pass 5" in result.stdout
