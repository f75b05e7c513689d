"""Oxigraph derives, through CONSTRUCT results streamed to its bulk loader, exactly the triples rdflib's
derive adds, on the shipped graph and the fixtures.

Literals are compared by value: Oxigraph stores numbers in canonical form ("2.0"^^xsd:decimal is read back as
"2"), rdflib keeps the lexical form it parsed. The derived triples carry no blank nodes; the source triples that
do (OWL lists) are compared by count."""

import pytest
from rdflib import RDF, BNode, Graph, Literal

from conftest import FIXTURES
from exmech.graph.load import derive, load_graph, parse_file
from exmech.graph.namespaces import EXM
from exmech.graph.resources import knowledge_base_files, ontology_files
from exmech.stores import OxigraphStore, oxigraph, oxigraph_derive
from exmech.stores.oxigraph_derive import TUNED, rule_files, rule_texts
from exmech.synthetic import write_ntriples

ALL = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


def by_value(term):
    if isinstance(term, Literal):
        return (term.value if term.value is not None else str(term), term.datatype, term.language)
    return term


def ground(graph: Graph) -> set[tuple]:
    return {tuple(map(by_value, t)) for t in graph if not any(isinstance(x, BNode) for x in t)}


def parsed_only(kb) -> Graph:
    graph = Graph()
    for path in [*ontology_files(), *knowledge_base_files(kb)]:
        parse_file(graph, path)
    return graph


@pytest.mark.parametrize("kb", [None, FIXTURES / "kb", FIXTURES / "paths-kb"], ids=["shipped", "cq", "paths"])
def test_oxigraph_derives_what_rdflib_derives(kb, tmp_path):
    rdflib_graph, source = load_graph(kb), ground(parsed_only(kb))
    oxigraph_graph = OxigraphStore(tmp_path / "ox", [*ontology_files(), *knowledge_base_files(kb)]).run(ALL)
    derived_by_rdflib = ground(rdflib_graph) - source
    derived_by_oxigraph = ground(oxigraph_graph) - source
    assert len(derived_by_rdflib) > 50
    assert sorted(derived_by_oxigraph - derived_by_rdflib)[:5] == []
    assert sorted(derived_by_rdflib - derived_by_oxigraph)[:5] == []
    assert ground(oxigraph_graph) == ground(rdflib_graph)
    assert len(oxigraph_graph) == len(rdflib_graph)


@pytest.mark.parametrize("large", [False, True], ids=["hashed", "large"])
def test_oxigraph_derives_what_rdflib_derives_on_a_synthetic_graph(tmp_path, monkeypatch, large):
    """Oxigraph runs its own form of most rules (queries/rules/oxigraph/): on a synthetic graph whose trials reach
    every status (mediation analyses supported and not, mediators measured), some of whose interventions are
    stated with a broader exercise type beside the narrower, it derives what rdflib derives. So it does when the
    files count as large (oxigraph_derive.LARGE_BYTES), where the rules of HASHED run in their plain form."""
    asked = []  # what fill asked for: the forms of a large store or not (the real rule_texts answers)
    monkeypatch.setattr(oxigraph, "rule_texts", lambda large=False: asked.append(large) or rule_texts(large))
    if large:
        monkeypatch.setattr(oxigraph_derive, "LARGE_BYTES", 1)
        assert oxigraph_derive.HASHED and all(
            p.parent.name != TUNED for p in rule_files(large=True) if p.name in oxigraph_derive.HASHED
        )
    nt = tmp_path / "synthetic.nt"
    write_ntriples(120, nt)
    files = [*ontology_files(), nt]
    rdflib_graph = Graph()
    for path in files:
        parse_file(rdflib_graph, path)
    source = ground(rdflib_graph)
    derive(rdflib_graph)
    derived_by_rdflib = ground(rdflib_graph) - source
    derived_by_oxigraph = ground(OxigraphStore(tmp_path / "ox", files).run(ALL)) - source
    statuses = {o for _, p, o in derived_by_rdflib if p == EXM.evidenceStatus}
    assert statuses == {EXM.Proposed, EXM.Measured, EXM.Tested, EXM.Supported}
    assert any(p == EXM.causallyUpstreamOf for _, p, _ in derived_by_rdflib)
    broader = {
        EXM.AerobicExercise,
        EXM.OtherExercise,
    }  # stated beside a narrower type: each path keeps the narrower
    claimed = set(rdflib_graph.objects(None, EXM.aboutIntervention))
    assert any(t in broader for i in claimed for t in rdflib_graph.objects(i, RDF.type))
    assert not set(rdflib_graph.objects(None, EXM.pathExerciseType)) & broader
    assert sorted(derived_by_oxigraph - derived_by_rdflib)[:5] == []
    assert sorted(derived_by_rdflib - derived_by_oxigraph)[:5] == []
    assert asked == [large]


def test_each_oxigraph_form_stands_for_a_rule_and_keeps_its_scope_line():
    tuned = [p for p in rule_files() if p.parent.name == TUNED]
    assert len(tuned) >= 5
    assert sorted(p.name for p in tuned[0].parent.glob("*.rq")) == sorted(p.name for p in tuned)
    for path in tuned:
        plain = (path.parent.parent / path.name).read_text(encoding="utf-8")
        text = path.read_text(encoding="utf-8")
        assert text.startswith(plain.split("PREFIX", 1)[0]), path.name  # the rule's own description first
        assert ("# scope ?" in text) == ("# scope ?" in plain), path.name
