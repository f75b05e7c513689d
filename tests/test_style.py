"""The code keeps one style: ruff's lint rules and formatter (configured in pyproject.toml) pass."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
RUFF = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))


@pytest.mark.parametrize("args", [["check"], ["format", "--check"]], ids=["lint", "format"])
def test_ruff(args):
    if not Path(RUFF).exists():
        pytest.skip("ruff is not installed (it is in the dev extra)")
    done = subprocess.run([RUFF, *args, "src", "tests"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_is_clean():
    """`mypy src` (configured in pyproject.toml) reports no error: the package ships py.typed."""
    mypy = shutil.which("mypy") or str(Path(sys.executable).with_name("mypy"))
    if not Path(mypy).exists():
        pytest.skip("mypy is not installed (it is in the dev extra)")
    done = subprocess.run([mypy, "src"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
