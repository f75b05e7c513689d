"""GraphML and CSV export of the path network, on the paths fixture (tests/fixtures/paths-kb)."""

import csv
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exmech.cli import app
from exmech.kg import KnowledgeGraph
from exmech.outputs.export import edges_csv, graphml, network, nodes_csv

PATHS_KB = Path(__file__).parent / "fixtures" / "paths-kb"
G = "{http://graphml.graphdrawing.org/xmlns}"
runner = CliRunner()


@pytest.fixture(scope="module")
def paths_kg() -> KnowledgeGraph:
    return KnowledgeGraph.load(kb_dir=PATHS_KB)


def test_network_gathers_studies_and_strongest_status(paths_kg):
    nodes, edges = network(paths_kg.graph, paths_kg.paths())
    kinds = {n.id: n.kind for n in nodes}
    assert kinds["exm:WalkingExercise"] == "exercise type" and kinds["mech:sleep"] == "mechanism"
    assert kinds["outc:fixture-paths-leg-pain"] == "outcome" and "exm:PilatesExercise" not in kinds
    edge = {(e.source, e.target): e for e in edges}
    # walking -> self-efficacy: trials A (supported for disability, measured for pain) and D (tested)
    assert (
        edge[("exm:WalkingExercise", "mech:self-efficacy")].weight,
        edge[("exm:WalkingExercise", "mech:self-efficacy")].status,
    ) == (2, "supported")
    # aerobic fitness -> disability is only proposed (trial C), -> pain tested (trial A)
    assert edge[("mech:aerobic-fitness", "outc:disability")].status == "proposed"
    assert edge[("mech:aerobic-fitness", "outc:pain-intensity")].status == "tested"


def test_graphml_is_valid_xml_with_labels_and_weights(paths_kg):
    root = ET.fromstring(graphml(paths_kg.graph, paths_kg.paths()))
    keys = {k.get("id"): (k.get("for"), k.get("attr.type")) for k in root.iter(f"{G}key")}
    assert keys["weight"] == ("edge", "int") and keys["label"] == ("node", "string")
    nodes = {n.get("id"): {d.get("key"): d.text for d in n} for n in root.iter(f"{G}node")}
    assert nodes["mech:self-efficacy"] == {
        "label": "self-efficacy",
        "kind": "mechanism",
        "theme": "psychosocial",
        "iri": "https://w3id.org/exmech/mechanism/self-efficacy",
    }
    edges = list(root.iter(f"{G}edge"))
    assert all(e.get("source") in nodes and e.get("target") in nodes for e in edges)
    assert (
        len(edges) == len(network(paths_kg.graph, paths_kg.paths())[1]) == 6 + 8
    )  # type->mechanism, mechanism->outcome


def test_csv_nodes_and_edges_agree(paths_kg):
    paths = paths_kg.paths()
    nodes = list(csv.DictReader(nodes_csv(paths_kg.graph, paths).splitlines()))
    edges = list(csv.DictReader(edges_csv(paths_kg.graph, paths).splitlines()))
    ids = {n["id"] for n in nodes}
    assert len(nodes) == 3 + 5 + 3  # exercise types, mechanisms, outcomes of the fixture paths
    assert all(e["source"] in ids and e["target"] in ids for e in edges)
    assert {
        "source": "exm:WalkingExercise",
        "target": "mech:self-efficacy",
        "weight": "2",
        "status": "supported",
        "studies": "kb:fixture-paths-a kb:fixture-paths-d",
    } in edges


def test_cli_export_writes_files(tmp_path):
    result = runner.invoke(app, ["export", "-f", "graphml", "-o", str(tmp_path), "--kb", str(PATHS_KB)])
    assert result.exit_code == 0, result.output
    ET.parse(tmp_path / "paths.graphml")
    result = runner.invoke(app, ["export", "-f", "csv", "-o", str(tmp_path), "--kb", str(PATHS_KB)])
    assert (
        result.exit_code == 0
        and (tmp_path / "paths-nodes.csv").is_file()
        and (tmp_path / "paths-edges.csv").is_file()
    )
    bad = runner.invoke(app, ["export", "-f", "gexf", "-o", str(tmp_path)])
    said = " ".join(bad.output.replace("│", " ").split())  # typer's enum refusal, whatever the box's width
    assert bad.exit_code == 2 and "'gexf' is not one of" in said and "'graphml'" in said, said


def test_export_and_report_run_on_an_oxigraph_store_with_the_same_answers(tmp_path):
    """`export` and `report` take --store like every command; the network and the report's text are the same."""
    store = f"oxigraph:{tmp_path / 'ox'}"
    for where, extra in (("memory", []), ("oxigraph", ["--store", store])):
        args = ["export", "-f", "csv", "-o", str(tmp_path / where), "--kb", str(PATHS_KB), *extra]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
    for name in ("paths-nodes.csv", "paths-edges.csv"):
        assert (tmp_path / "memory" / name).read_bytes() == (tmp_path / "oxigraph" / name).read_bytes(), name
    result = runner.invoke(
        app, ["report", "--out", str(tmp_path / "r"), "--kb", str(PATHS_KB), "--store", store]
    )
    assert result.exit_code == 0, result.output
    memory = runner.invoke(app, ["report", "--out", str(tmp_path / "m"), "--kb", str(PATHS_KB)])
    assert memory.exit_code == 0, memory.output
    assert (tmp_path / "r" / "report.md").read_text() == (tmp_path / "m" / "report.md").read_text()
