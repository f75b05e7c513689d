"""The shipped knowledge base: real, sourced, big enough, and free of fixtures or synthetic data."""

import re

from rdflib import URIRef
from rdflib.namespace import PROV, RDF

from exmech.evidence.stats import headline
from exmech.graph.namespaces import BIBO, EXM
from exmech.graph.resources import knowledge_base_files

DCT_SOURCE = URIRef("http://purl.org/dc/terms/source")


def test_at_least_40_trials_each_with_an_identifier(kg):
    trials = set(kg.graph.subjects(RDF.type, EXM.RandomisedControlledTrial))
    assert len(trials) >= 40
    for t in trials:
        pub = kg.graph.value(t, EXM.reportedIn)
        ids = [
            *kg.graph.objects(pub, BIBO.doi),
            *kg.graph.objects(pub, BIBO.pmid),
            *kg.graph.objects(t, EXM.trialRegistration),
        ]
        assert ids, f"{t} has no DOI, PMID or trial registration"
        assert kg.graph.value(t, DCT_SOURCE) is not None, f"{t} has no dcterms:source"


def test_every_trial_has_an_exercise_type(kg):
    q = """PREFIX exm: <https://w3id.org/exmech/ontology/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    SELECT ?t WHERE { ?t a exm:RandomisedControlledTrial .
      FILTER NOT EXISTS { ?t exm:hasArm/exm:receives ?i . ?i a/rdfs:subClassOf* exm:ExerciseIntervention } }"""
    assert list(kg.graph.query(q)) == []


def test_at_least_5_mediation_analyses_with_numbers(kg):
    q = """PREFIX exm: <https://w3id.org/exmech/ontology/>
    SELECT (COUNT(DISTINCT ?ma) AS ?n) (COUNT(DISTINCT ?pub) AS ?pubs) WHERE {
      ?ma a exm:MediationAnalysis ; exm:reportedIn ?pub .
      { ?ma exm:hasEffect/(exm:estimate|exm:ciLower) ?x } UNION { ?ma exm:proportionMediated ?x } }"""
    n, pubs = next(iter(kg.graph.query(q)))
    assert int(n) >= 5 and int(pubs) >= 3


def test_identifiers_are_well_formed(kg):
    for doi in kg.graph.objects(None, BIBO.doi):
        assert re.fullmatch(r"10\.\d{4,9}/\S+", str(doi)), doi
    for pmid in kg.graph.objects(None, BIBO.pmid):
        assert re.fullmatch(r"\d{1,9}", str(pmid)), pmid


def test_no_fixture_or_synthetic_data_in_the_shipped_kb():
    for path in knowledge_base_files():
        text = path.read_text(encoding="utf-8")
        assert "10.5555/" not in text and "fixture-" not in text, path
        assert "exmech/synthetic/" not in text and "exm:synthetic" not in text, path


def test_no_blank_nodes_in_entries():
    from rdflib import BNode, Graph

    for path in knowledge_base_files():
        g = Graph().parse(path)
        assert not any(isinstance(x, BNode) for t in g for x in t), f"{path} has blank nodes"


def test_headline_figures_count_what_the_graph_holds(kg):
    figures = headline(kg.graph)
    assert figures["trials"] == len(set(kg.graph.subjects(RDF.type, EXM.RandomisedControlledTrial)))
    assert figures["claims"] == len(set(kg.graph.subjects(RDF.type, EXM.MechanismClaim)))
    assert figures["sourcedClaims"] == figures["claims"]
    assert figures["sourcedTrials"] == figures["trials"]
    assert figures["reviewMechanismNamesSourced"] + figures["reviewMechanismNamesMissing"] == 33
    assert figures["mechanismsNamedInReview"] <= figures["reviewMechanismNamesSourced"]


def test_missing_sample_sizes_are_counted_not_guessed(kg):
    trials = set(kg.graph.subjects(RDF.type, EXM.RandomisedControlledTrial))
    without = {t for t in trials if kg.graph.value(t, EXM.sampleSize) is None}
    figures = headline(kg.graph)
    assert figures["trialsWithoutSampleSize"] == len(without)
    assert (
        figures["abstractOnlyTrials"]
        + figures["partialTextTrials"]
        + figures["fullTextTrials"]
        + figures["citationOnlyTrials"]
        == figures["trials"]
    )


def test_review_mechanism_names_are_sourced_and_linked_consistently(kg):
    names = set(kg.graph.subjects(RDF.type, EXM.ReviewMechanismName))
    assert names, "the review's ranked mechanism names are missing"
    ranks = [kg.graph.value(n, EXM.rankInReview).toPython() for n in names]
    assert sorted(ranks) == list(range(1, len(names) + 1)), "ranks must run 1..n without gaps or repeats"
    for n in names:
        assert kg.graph.value(n, PROV.wasDerivedFrom) is not None, f"{n} has no source"
        assert kg.graph.value(n, EXM.sourceLocation) is not None, f"{n} has no location in its source"
        mechanism = kg.graph.value(n, EXM.denotesMechanism)
        if mechanism is not None:  # a vocabulary mechanism the review names is marked as such
            assert kg.graph.value(mechanism, EXM.namedInReview).toPython() is True, mechanism
