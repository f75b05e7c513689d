"""The core install needs no plotting or documentation library; a command whose extra is missing names it (exit 2)."""

import subprocess
import sys

import pytest

BLOCK = "import sys\nfor name in {blocked!r}: sys.modules[name] = None  # as if not installed\n"
RUN = "from exmech.cli import main\nsys.argv = ['exmech', *{argv!r}]\nmain()\n"


def _without(blocked: list[str], argv: list[str], cwd):
    code = BLOCK.format(blocked=blocked) + RUN.format(argv=argv)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=cwd)


def test_core_commands_run_without_matplotlib_or_pylode(tmp_path):
    run = _without(["matplotlib", "pylode"], ["query", "review-summary", "-f", "csv"], tmp_path)
    assert run.returncode == 0, run.stderr
    assert "percentNoMechanism" in run.stdout.splitlines()[0] and "110" in run.stdout


def test_the_core_dependencies_leave_plotting_documentation_spreadsheets_and_oxigraph_to_extras():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+

    from conftest import TESTS

    project = tomllib.loads((TESTS.parent / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = " ".join(project["dependencies"]).lower()
    assert all(name in core for name in ("rdflib", "pyshacl", "owlready2"))
    assert not any(name in core for name in ("matplotlib", "pylode", "openpyxl", "pyoxigraph"))
    assert {"report", "release", "xlsx", "oxigraph", "all"} <= set(project["optional-dependencies"])


@pytest.mark.parametrize(
    "module, extra, argv",
    [
        ("matplotlib", "report", ["report", "--out", "r"]),
        ("pylode", "release", ["release", "-o", "d"]),
        ("pyoxigraph", "oxigraph", ["query", "review-summary", "--store", "oxigraph:ox"]),
    ],
)
def test_a_missing_extra_is_named_with_exit_2(tmp_path, module, extra, argv):
    run = _without([module], argv, tmp_path)
    assert run.returncode == 2, run.stdout + run.stderr
    assert f"exmech[{extra}]" in run.stderr and "Traceback" not in run.stderr
