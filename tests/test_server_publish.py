"""`exmech serve` publishing itself and pages for people, on a real server on 127.0.0.1: the service description,
VoID, the ontology and the JSON-LD context at their IRIs, RDF/XML, blank-node structures on term pages, pages
titled by label with plain values, links and what points at a term; templates, static files and the CSP."""

import json
import os
import shutil
import subprocess
import tempfile
import threading
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, VOID

from exmech.graph.namespaces import EXM, KB, MECH, ONTOLOGY_IRI
from exmech.graph.resources import resource_dir
from exmech.server.app import make_server
from exmech.server.limits import Limits
from test_server import get

pytestmark = pytest.mark.server
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
RDF_TYPES = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/rdf+xml": "xml"}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def base(memory):
    server = make_server(memory, "127.0.0.1", 0, time_limit=20, max_rows=2000)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def graph(base: str, path: str, accept: str) -> Graph:
    status, media, body = get(base + path, accept)
    assert status == 200 and media == accept, body[:300]
    return Graph().parse(data=body, format=RDF_TYPES[accept])


def count(memory, query: str) -> int:
    return int(memory.run(query).rows[0][0])


class Page(HTMLParser):
    """What a person sees of a page: its title, text, links and every script and style it would run."""

    def __init__(self, html: str):
        super().__init__()
        self.title, self.text, self.links, self.scripts, self.inline = "", [], {}, [], []
        self._tag, self._href = "", None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self._tag = tag
        if tag == "a":
            self._href = a.get("href")
        if tag == "script":
            self.scripts.append(a.get("src"))
        if tag == "style" or "style" in a or any(name.startswith("on") for name in a):
            self.inline.append(tag)

    def handle_endtag(self, tag):
        if tag == "a":
            self._href = None
        self._tag = ""

    def handle_data(self, data):
        if self._tag == "title":
            self.title += data
        if self._tag == "script" and data.strip():
            self.inline.append("script")
        if data.strip():
            self.text.append(data.strip())
            if self._href:
                self.links[data.strip()] = self._href


def page(base: str, path: str) -> Page:
    status, media, body = get(base + path, BROWSER)
    assert status == 200 and media.startswith("text/html"), body[:300]
    return Page(body)


def test_service_description_at_sparql_without_a_query(base, memory):
    triples = count(memory, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    graphs = {accept: graph(base, "/sparql", accept) for accept in RDF_TYPES}
    sd = graphs["text/turtle"]
    service = URIRef(f"{base}/sparql")
    assert (service, RDF.type, SD.Service) in sd and (service, SD.endpoint, service) in sd
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in sd
    formats = set(sd.objects(service, SD.resultFormat))
    assert {
        FORMATS.SPARQL_Results_JSON,
        FORMATS.SPARQL_Results_XML,
        FORMATS.Turtle,
        FORMATS.RDF_XML,
    } <= formats
    dataset = sd.value(service, SD.defaultDataset)
    assert (dataset, RDF.type, VOID.Dataset) in sd and (dataset, VOID.sparqlEndpoint, service) in sd
    default_graph = sd.value(dataset, SD.defaultGraph)
    assert sd.value(default_graph, VOID.triples) == Literal(triples)
    assert isomorphic(sd, graphs["application/ld+json"]) and isomorphic(sd, graphs["application/rdf+xml"])
    # a browser still gets the query page there, and a query still runs
    assert "exmech SPARQL endpoint" in page(base, "/sparql").text
    assert get(f"{base}/sparql?query=ASK%7B%7D")[0] == 200


def test_void_with_sparql_endpoint_and_counts(base, memory):
    void = graph(base, "/.well-known/void", "text/turtle")
    dataset = URIRef("https://w3id.org/exmech/dataset")
    assert (dataset, RDF.type, VOID.Dataset) in void
    assert void.value(dataset, VOID.sparqlEndpoint) == URIRef(f"{base}/sparql")
    assert void.value(dataset, VOID.triples) == Literal(count(memory, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"))
    subjects = count(memory, "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o }")
    assert void.value(dataset, VOID.distinctSubjects) == Literal(subjects)
    trials = count(memory, f"SELECT (COUNT(DISTINCT ?s) AS ?n) {{ ?s a <{EXM}RandomisedControlledTrial> }}")
    parts = {
        void.value(p, VOID["class"]): void.value(p, VOID.entities)
        for p in void.objects(dataset, VOID.classPartition)
    }
    assert parts[EXM.RandomisedControlledTrial] == Literal(trials) and trials > 50
    status, _, body = get(f"{base}/.well-known/void", "text/html")  # no HTML of it: said, not guessed
    assert status == 406 and "text/turtle" in body


def test_ontology_at_its_iri_by_content_negotiation(base):
    shipped = Graph().parse(resource_dir("ontology") / "exmech.ttl", format="turtle")
    turtle = graph(base, "/ontology", "text/turtle")
    assert (URIRef(ONTOLOGY_IRI), RDF.type, OWL.Ontology) in turtle and isomorphic(turtle, shipped)
    assert isomorphic(turtle, graph(base, "/ontology", "application/rdf+xml"))
    assert isomorphic(turtle, graph(base, "/ontology", "application/ld+json"))
    ontology = page(base, "/ontology")
    assert ontology.title.startswith("exmech: mechanisms of exercise") and ONTOLOGY_IRI not in ontology.title


def test_json_ld_context_at_its_iri(base):
    status, media, body = get(f"{base}/context.jsonld", "application/ld+json")
    shipped = (resource_dir("ontology") / "context.jsonld").read_text(encoding="utf-8")
    assert status == 200 and media == "application/ld+json" and json.loads(body) == json.loads(shipped)
    # with the served context, a JSON-LD entry expands to the same triples as its Turtle
    entry = {
        "@context": json.loads(body)["@context"],
        "@id": "kb:x",
        "@type": "exm:RandomisedControlledTrial",
    }
    expanded = Graph().parse(data=json.dumps(entry), format="json-ld")
    assert (KB.x, RDF.type, EXM.RandomisedControlledTrial) in expanded


def test_term_descriptions_keep_blank_node_structures(base):
    for accept in RDF_TYPES:
        g = graph(base, "/ontology/Direction", accept)
        equivalent = g.value(EXM.Direction, OWL.equivalentClass)
        assert list(Collection(g, g.value(equivalent, OWL.oneOf))) == [EXM.Negative, EXM.Positive], accept
    direction = page(base, "/ontology/Direction")
    assert direction.title.startswith("direction") and {"negative", "positive"} <= set(direction.text)
    assert direction.links["negative"] == "/ontology/Negative"


def test_study_page_titled_by_label_with_plain_values_and_links(base):
    trial = page(base, "/kb/aure2003")
    assert trial.title.startswith("Aure 2003: exercise therapy vs manual therapy")
    assert "49" in trial.text and not any("^^" in t or "XMLSchema" in t for t in trial.text)
    assert trial.links["randomised controlled trial"] == "/ontology/RandomisedControlledTrial"
    assert any(
        href == "/kb/aure2003-m1" for href in trial.links.values()
    )  # what points here: its measurements
    publication = page(base, "/kb/aure2003-pub")
    assert publication.title.startswith("Manual therapy and exercise therapy in patients")
    assert (
        publication.links["10.1097/01.BRS.0000049921.04200.A6"]
        == "https://doi.org/10.1097/01.BRS.0000049921.04200.A6"
    )
    assert publication.links["12642755"] == "https://pubmed.ncbi.nlm.nih.gov/12642755/"
    registered = page(base, "/kb/unsgaardtondel2010")
    assert registered.links["NCT00201513"] == "https://clinicaltrials.gov/study/NCT00201513"


def test_mechanism_page_lists_the_trials_and_analyses_behind_it(base, memory):
    iri = MECH["self-efficacy"]
    proposing = count(
        memory,
        f"SELECT (COUNT(DISTINCT ?t) AS ?n) {{ ?c <{EXM}proposedMechanism> <{iri}> ; <{EXM}statedBy> ?t }}",
    )
    measuring = count(
        memory,
        f"SELECT (COUNT(DISTINCT ?t) AS ?n) {{ ?m a <{EXM}MediatorMeasurement> ; <{EXM}ofConstruct> <{iri}> ; "
        f"<{EXM}inStudy> ?t }}",
    )
    supported = memory.run(
        f"SELECT ?a ?lo WHERE {{ ?a <{EXM}mediator> <{iri}> ; <{EXM}evidenceStatus> <{EXM}Supported> ; "
        f"<{EXM}hasEffect> ?e . ?e a <{EXM}IndirectEffect> ; <{EXM}ciLower> ?lo }} ORDER BY ?a"
    ).rows
    assert proposing and measuring and supported
    mechanism = page(base, "/mechanism/self-efficacy")
    assert mechanism.title.startswith("self-efficacy")
    assert f"Trials that proposed it ({proposing})" in mechanism.text
    assert f"Trials that measured it ({measuring})" in mechanism.text
    effects = " ".join(mechanism.text)
    assert all(f"({row[1]} to " in effects for row in supported)  # each supported analysis with its CI
    assert "supported" in mechanism.text


def test_study_page_lists_its_mechanisms(base, memory):
    iri = KB.aure2003
    measured = memory.run(
        f"SELECT DISTINCT ?c WHERE {{ ?m a <{EXM}MediatorMeasurement> ; <{EXM}inStudy> <{iri}> ; "
        f"<{EXM}ofConstruct> ?c }}"
    ).rows
    assert measured
    trial = page(base, "/kb/aure2003")
    assert f"Mechanisms it measured ({len(measured)})" in trial.text
    for (construct,) in measured:
        assert "/" + str(construct).split("/exmech/")[1] in trial.links.values()
    assert not any(t.startswith("Mechanisms") for t in page(base, "/kb/aure2003-pub").text)  # not a study


def test_pages_come_from_templates_with_their_own_scripts_and_styles_only(base):
    csp = urllib.request.urlopen(f"{base}/", timeout=60).headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe-inline" not in csp
    status, media, body = get(f"{base}/simple", "text/html")
    simple = Page(body)
    assert simple.scripts == ["/static/query.js"] and not simple.inline
    assert "review-theme-table" in body and "paths: Through which mechanisms" in body
    status, media, body = get(f"{base}/", "text/html")
    yasgui = Page(body)  # its configuration is a JSON data block, never run
    assert yasgui.scripts == [None, "/static/yasgui/yasgui.min.js", "/static/yasgui-page.js"]
    assert "review-theme-table" in body and '"exm": "https://w3id.org/exmech/ontology/"' in body
    for name in ("yasgui.min.js", "yasgui.min.css", "LICENSE.txt", "yasgui.min.js.LICENSE.txt", "SOURCE.txt"):
        status, _, text = get(f"{base}/static/yasgui/{name}")
        assert status == 200 and text
    assert "MIT License" in get(f"{base}/static/yasgui/LICENSE.txt")[2]
    for path in ("/kb/aure2003", "/mechanism/self-efficacy", "/ontology/Direction"):
        assert not page(base, path).inline
    status, media, script = get(f"{base}/static/query.js")  # served, never inline
    assert status == 200 and media.startswith("text/javascript") and "application/sparql-query" in script
    assert get(f"{base}/static/exmech.css")[1].startswith("text/css")
    for bad in ("/static/../pages.py", "/static/%2e%2e/pages.py", "/static/", "/static/query.js/x"):
        assert get(base + bad)[0] == 404
    title = "<script>alert(1)</script>"  # autoescaped: data can never become markup
    from exmech.server.pages import environment

    term = environment().get_template("term.html.j2")
    html = term.render(title=title, iri=title, types=[], rows=[], incoming={"rows": []}, evidence=None)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_head_on_the_published_documents(base):
    request = urllib.request.Request(
        f"{base}/.well-known/void", method="HEAD", headers={"Accept": "text/turtle"}
    )
    with urllib.request.urlopen(request, timeout=60) as r:
        assert r.status == 200 and r.headers["Content-Type"] == "text/turtle" and r.read() == b""
        assert int(r.headers["Content-Length"]) > 1000


def test_limits_are_defined_once(memory):
    server = make_server(memory, "127.0.0.1", 0)
    try:
        assert server.endpoint.limits == Limits()
    finally:
        server.server_close()
    server = make_server(memory, "127.0.0.1", 0, Limits(workers=3), max_rows=7)
    try:
        assert server.endpoint.limits == Limits(workers=3, max_rows=7) and server.endpoint.max_rows == 7
    finally:
        server.server_close()
    with pytest.raises(TypeError):
        make_server(memory, "127.0.0.1", 0, max_rowz=7)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def chromium(url: str, *flags: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--enable-logging=stderr",
                "--v=0",
                "--virtual-time-budget=15000",
                *flags,
                url,
            ],
            capture_output=True,
            text=True,
            timeout=180,
        )


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed (apt-get install -y chromium)")
def test_yasgui_runs_a_query_offline_under_the_csp(base, memory):
    trials = count(memory, f"SELECT (COUNT(?s) AS ?n) {{ ?s a <{EXM}RandomisedControlledTrial> }}")
    query = f"PREFIX exm: <{EXM}> SELECT ?s WHERE {{ ?s a exm:RandomisedControlledTrial }} ORDER BY ?s"
    run = chromium(f"{base}/?{urllib.parse.urlencode({'query': query})}", "--dump-dom")
    dom = run.stdout
    assert f"{min(trials, 50)} of {trials} entries" in dom or f"{trials} results" in dom, dom[-2000:]
    assert ">kb:aasa2015<" in dom  # results by prefixed name
    blocked = [line for line in run.stderr.splitlines() if "Content Security Policy" in line]
    assert all("connect-src" in line or "inline style" in line for line in blocked), (
        blocked
    )  # no script blocked


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed (apt-get install -y chromium)")
def test_screenshots_of_every_page(base, tmp_path):
    """Each page drawn by Chromium (look at them: SHOTS=dir keeps them there)."""
    out = Path(os.environ.get("SHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    pages = {
        "yasgui": "/",
        "simple": "/simple",
        "trial": "/kb/aure2003",
        "publication": "/kb/aure2003-pub",
        "mechanism": "/mechanism/self-efficacy",
        "direction": "/ontology/Direction",
        "ontology": "/ontology",
    }
    for name, path in pages.items():
        chromium(base + path, "--window-size=1280,1400", f"--screenshot={out / name}.png")
        png = (out / f"{name}.png").read_bytes()
        assert png.startswith(b"\x89PNG") and len(png) > 20000, name  # drawn, not blank


def test_published_documents_and_pages_over_an_oxigraph_store(tmp_path, memory):
    """The same service description counts, blank-node structures and evidence pages from an on-disk store."""
    from exmech.stores import OxigraphStore

    server = make_server(OxigraphStore(tmp_path / "ox"), "127.0.0.1", 0, time_limit=20, max_rows=2000)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        sd = graph(url, "/sparql", "text/turtle")
        default_graph = sd.value(sd.value(URIRef(f"{url}/sparql"), SD.defaultDataset), SD.defaultGraph)
        assert sd.value(default_graph, VOID.triples) == Literal(
            count(memory, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
        )
        g = graph(url, "/ontology/Direction", "application/rdf+xml")
        assert list(Collection(g, g.value(g.value(EXM.Direction, OWL.equivalentClass), OWL.oneOf))) == [
            EXM.Negative,
            EXM.Positive,
        ]
        assert "Trials that proposed it" in " ".join(page(url, "/mechanism/self-efficacy").text)
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed (apt-get install -y chromium)")
def test_yasgui_results_show_prefixed_names_with_their_labels(base, memory, tmp_path):
    """The query page asks the endpoint for the rdfs:labels of the IRIs a result shows and writes each under its
    prefixed name (the link text stays the prefixed name); an IRI without a label gets none. Screenshot kept in
    SHOTS=dir (yasgui-labels.png): look at it."""
    query = (
        f"PREFIX exm: <{EXM}> SELECT ?study ?mechanism ?claim WHERE {{ ?claim exm:statedBy ?study ; "
        "exm:proposedMechanism ?mechanism } ORDER BY ?study ?mechanism LIMIT 4"
    )
    url = f"{base}/?{urllib.parse.urlencode({'query': query})}"
    dom = chromium(url, "--dump-dom").stdout
    first = memory.run(query).rows[0]
    study_label, mechanism_label = (
        str(
            memory.run(f"SELECT ?l WHERE {{ <{iri}> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}").rows[
                0
            ][0]
        )
        for iri in first[:2]
    )
    assert ">kb:aasa2015</a>" in dom  # the prefixed name stays the link's text
    assert f'<span class="label">{study_label}</span>' in dom, dom[-3000:]
    assert f'<span class="label">{mechanism_label}</span>' in dom
    claim = str(first[2]).rsplit("/", 1)[1]
    assert f">kb:{claim}</a></span>" in dom  # claims have no rdfs:label: nothing is added after them
    out = Path(os.environ.get("SHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    chromium(url, "--window-size=1280,900", f"--screenshot={out / 'yasgui-labels.png'}")
    assert (out / "yasgui-labels.png").read_bytes().startswith(b"\x89PNG")
