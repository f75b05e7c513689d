"""A release: the ontology and the knowledge base in every standard serialisation, with their descriptions.

dist/
  ontology/exmech.{ttl,nt,jsonld,owl}   ontology + controlled vocabularies (.owl: RDF/XML by rdflib, checked in owlready2)
  kb/exmech-kb.{ttl,nt,jsonld}          knowledge base + derived facts, with an owl:Ontology header importing the ontology
  exmech.nq                             everything as N-Quads: one named graph per edit file, one for the derived facts
  context.jsonld                        the shipped JSON-LD context both JSON-LD files use
  shapes/                               SHACL shapes, as shipped
  void.ttl                              VoID + DCAT-AP description of the catalogue, dataset and distributions
  mappings.sssom.tsv                    every mapping to an external vocabulary, in SSSOM
  docs/index.html, docs/<prefix>.html   pyLODE documentation of the ontology and of each vocabulary
  docs/examples.html                    one real example per class
  terms.txt                             every term IRI of this release (compared with the previous release)
  ro-crate-metadata.json                RO-Crate description of the release folder
  SHA256SUMS                            checksums of every file above

The same sources and date give byte-identical files (exmech.release.sources); files are 0644, folders 0755.
"""

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF

from exmech.errors import NotConforming
from exmech.graph.build import jsonld_context
from exmech.graph.load import parse_file
from exmech.graph.namespaces import BASE, bind_prefixes
from exmech.graph.resources import ontology_files, resource_dir
from exmech.graph.version import release_date
from exmech.release.describe import SERVE_ENDPOINT, kb_header, ro_crate, sha256, sssom, void_description
from exmech.release.docs import examples_html, ontology_html, vocabulary_graphs, vocabulary_html
from exmech.release.sources import ReleaseGraphs, deterministic, nquads, release_graphs, sorted_lines

__all__ = ["RELEASED_TERMS", "Release", "ReleaseError", "make_release", "sssom"]

TERM_SPACES = ("ontology/", "mechanism/", "theme/", "instrument/", "outcome/")
RELEASED_TERMS = "released-terms.txt"


class ReleaseError(NotConforming):
    """The release cannot be made (for example a released term vanished without owl:deprecated)."""


@dataclass
class Release:
    date: str
    out: Path
    files: list[Path]


def ontology_graph() -> Graph:
    graph = bind_prefixes(Graph())
    for path in ontology_files():
        parse_file(graph, path)
    return graph


def term_iris(graph: Graph) -> set[str]:
    """IRIs of the terms the project mints: classes, properties and controlled-vocabulary concepts."""
    return {
        str(s)
        for s in graph.subjects(RDF.type, None)
        if isinstance(s, URIRef) and any(str(s).startswith(BASE + sp) for sp in TERM_SPACES)
    }


def vanished_terms(previous: set[str], graph: Graph) -> list[str]:
    """Terms of the previous release that are gone and not kept with an owl:deprecated marker."""
    current = term_iris(graph)
    return sorted(t for t in previous - current if (URIRef(t), OWL.deprecated, Literal(True)) not in graph)


def read_terms(path: Path) -> set[str]:
    return {
        ln.strip()
        for ln in path.read_text(encoding="utf-8").splitlines()
        if ln.strip() and not ln.startswith("#")
    }


def _serialise(graph: Graph, base: Path) -> list[Path]:
    """Turtle, N-Triples (sorted lines) and JSON-LD with the shipped context."""
    base.with_suffix(".ttl").write_bytes(graph.serialize(format="turtle", encoding="utf-8"))
    base.with_suffix(".nt").write_text(sorted_lines(graph.serialize(format="nt")), encoding="utf-8")
    jsonld = json.loads(graph.serialize(format="json-ld", context=jsonld_context(), auto_compact=True))
    jsonld["@graph"].sort(key=lambda node: json.dumps(node, sort_keys=True))  # rdflib emits them in set order
    base.with_suffix(".jsonld").write_text(
        json.dumps(jsonld, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return [base.with_suffix(s) for s in (".ttl", ".nt", ".jsonld")]


def write_owl(graph: Graph, target: Path) -> Path:
    """RDF/XML written by rdflib (literals and IRIs kept exactly), then loaded in owlready2: OWL tools read it."""
    import owlready2

    target.write_bytes(graph.serialize(format="xml", encoding="utf-8"))
    try:
        owlready2.World().get_ontology(target.resolve().as_uri()).load()
    except Exception as exc:  # owlready2 raises its own and parser types
        raise ReleaseError(f"{target.name}: owlready2 cannot load the RDF/XML: {exc}") from exc
    return target


def _write_graphs(graphs: ReleaseGraphs, staging: Path) -> list[Path]:
    (staging / "ontology").mkdir()
    (staging / "kb").mkdir()
    files = _serialise(graphs.onto, staging / "ontology" / "exmech")
    files.append(write_owl(graphs.onto, staging / "ontology" / "exmech.owl"))
    files += _serialise(graphs.kb, staging / "kb" / "exmech-kb")
    quads = staging / "exmech.nq"
    quads.write_text(nquads(graphs.parts), encoding="utf-8")
    context = staging / "context.jsonld"
    shutil.copyfile(resource_dir("ontology") / "context.jsonld", context)  # the shipped file, byte for byte
    shutil.copytree(resource_dir("shapes"), staging / "shapes")
    return files + [quads, context, *sorted(p for p in (staging / "shapes").rglob("*") if p.is_file())]


def _write_texts(graphs: ReleaseGraphs, staging: Path, date: str) -> list[Path]:
    """SSSOM, the HTML pages and the term list."""
    (staging / "docs").mkdir()
    texts = {
        "mappings.sssom.tsv": sssom(graphs.onto, date),
        "docs/index.html": ontology_html(graphs.onto),
        **{
            f"docs/{name}.html": vocabulary_html(g, name)
            for name, g in vocabulary_graphs(graphs.onto).items()
        },
        "docs/examples.html": examples_html(graphs.full),
        "terms.txt": f"# term IRIs of exmech release {date}\n"
        + "".join(f"{t}\n" for t in sorted(term_iris(graphs.onto))),
    }
    for name, text in texts.items():
        (staging / name).write_text(text, encoding="utf-8")
    return [staging / name for name in texts]


def _write_descriptions(
    graphs: ReleaseGraphs, staging: Path, date: str, files: list[Path], endpoint: str
) -> list[Path]:
    """VoID + DCAT-AP of every file so far, RO-Crate of every file but itself, SHA256SUMS of all."""
    void = staging / "void.ttl"
    description = deterministic(void_description(graphs.onto, graphs.kb, date, files, staging, endpoint))
    void.write_bytes(description.serialize(format="turtle", encoding="utf-8"))
    crate = staging / "ro-crate-metadata.json"
    crate.write_text(json.dumps(ro_crate([*files, void], staging, date), indent=2) + "\n", encoding="utf-8")
    files = [*files, void, crate]
    sums = staging / "SHA256SUMS"
    sums.write_text(
        "".join(f"{sha256(p)}  {p.relative_to(staging).as_posix()}\n" for p in files), encoding="utf-8"
    )
    return [*files, sums]


def make_readable(folder: Path) -> None:
    """Folders 0755 and files 0644, whatever the umask or mkdtemp's 0700."""
    folder.chmod(0o755)
    for path in folder.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


def check_terms(previous_terms: Path | None) -> None:
    """Refuse if a term of the previous release vanished without owl:deprecated."""
    previous = previous_terms or resource_dir("ontology") / RELEASED_TERMS
    if previous.is_file() and (gone := vanished_terms(read_terms(previous), ontology_graph())):
        raise ReleaseError(
            "terms of the previous release are gone without owl:deprecated: " + ", ".join(gone)
        )


def make_release(
    out: Path, date: str | None = None, previous_terms: Path | None = None, endpoint: str = SERVE_ENDPOINT
) -> Release:
    """Write a complete release into `out` (replaced whole); refuse if a released term vanished."""
    date = date or release_date()
    check_terms(previous_terms)
    graphs = release_graphs(date, kb_header(date))
    staging = Path(tempfile.mkdtemp(prefix=".release-", dir=out.parent if out.parent.exists() else None))
    try:
        files = _write_graphs(graphs, staging)
        files += _write_texts(graphs, staging, date)
        files = _write_descriptions(graphs, staging, date, files, endpoint)
        make_readable(staging)
        if out.exists():
            shutil.rmtree(out)
        os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Release(date, out, [out / p.relative_to(staging) for p in files])
