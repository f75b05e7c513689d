"""Competency questions: every manifest entry runs its packaged query on its data and must give the expected rows."""

import csv
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
import yaml

from exmech.graph.catalogue import catalogue

CQ = Path(__file__).parent / "cq"
MANIFEST = yaml.safe_load((CQ / "manifest.yaml").read_text(encoding="utf-8"))


def _norm(value: str) -> str:
    """Numbers compare by value (rdflib writes 60 or 60.0 for the same decimal), everything else as text."""
    try:
        return str(Decimal(value).normalize()) if value != "" else ""
    except InvalidOperation:
        return value


def _rows(records: list[dict], columns: list[str]) -> list[tuple]:
    return [tuple(_norm(r.get(c, "")) for c in columns) for r in records]


def _case_id(entry: dict) -> str:
    params = ",".join(f"{k}={v}" for k, v in (entry.get("params") or {}).items())
    return f"{entry['query']}[{entry['data']}{';' + params if params else ''}]"


@pytest.mark.parametrize("entry", MANIFEST, ids=_case_id)
def test_competency_question(entry, kg, fixture_kg, paths_kg, joint_kg):
    graph = {"shipped": kg, "fixture": fixture_kg, "paths": paths_kg, "joint": joint_kg}[entry["data"]]
    with open(CQ / entry["expected"], encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        columns = list(reader.fieldnames or [])
        expected = _rows(list(reader), columns)
    records = graph.query(entry["query"], **(entry.get("params") or {}))
    if records:
        assert list(records[0]) == columns, "the query's variables differ from the expected header"
    actual = _rows(records, columns)
    if drop := entry.get("drop_zero"):
        i = columns.index(drop)
        actual = [r for r in actual if r[i] != "0"]
    if entry.get("ordered"):
        assert actual == expected
    else:
        assert sorted(actual) == sorted(expected)


def test_every_competency_question_is_in_the_manifest_or_exempt():
    """A new .rq file must come with an expected result."""
    covered = {e["query"] for e in MANIFEST}
    # checked elsewhere: mechanisms-per-theme in test_ontology; the gaps table in test_paths
    exempt = {"mechanisms-per-theme", "gaps-exercise-type-by-theme"}
    questions = {n for n in catalogue() if not n.startswith("qc/")}
    missing = sorted(questions - covered - exempt)
    assert not missing, f"competency questions without an expected result: {missing}"


def test_every_query_states_its_question():
    for name, query in catalogue().items():
        assert query.question, f"{name} does not open with '# Question:' or '# Rule:'"
