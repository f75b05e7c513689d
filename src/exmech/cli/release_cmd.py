"""exmech release: the ontology and knowledge base in every standard form, described and checksummed."""

import shutil
from pathlib import Path

import typer

from exmech.cli.options import Quiet, fail, progress
from exmech.errors import require
from exmech.graph.load import SourceError
from exmech.graph.resources import checkout_dir
from exmech.release.bundle import RELEASED_TERMS, ReleaseError, make_release
from exmech.release.describe import SERVE_ENDPOINT


def release(
    out: Path = typer.Option(
        Path("dist"), "-o", "--output", "--out", help="Folder to write the release to (replaced)."
    ),
    record_terms: bool = typer.Option(
        False,
        "--record-terms",
        help=f"Also copy terms.txt to ontology/{RELEASED_TERMS}, the list later releases must keep.",
    ),
    sparql_endpoint: str = typer.Option(
        SERVE_ENDPOINT,
        "--sparql-endpoint",
        help="The void:sparqlEndpoint the VoID names (default: where `exmech serve` answers with its defaults).",
    ),
    quiet: bool = Quiet,
) -> None:
    """Write a release: Turtle, N-Triples, JSON-LD, RDF/XML, N-Quads, shapes, VoID/DCAT-AP, SSSOM, RO-Crate, HTML docs, checksums.

    The same sources and date (SOURCE_DATE_EPOCH) give byte-identical files.
    Fails (exit 1) if a term IRI of the previous release disappeared without an owl:deprecated marker.
    Example: exmech release --out dist
    """
    if record_terms:
        checkout_dir("ontology", "--record-terms")  # refuse before writing anything
    for module in ("pylode", "dominate"):  # a missing extra is said at once, not after the graph is written
        require(module, "release")
    try:
        with progress(quiet) as step:
            step("writing the release: the graph in every form, its docs, descriptions and checksums")
            made = make_release(out, endpoint=sparql_endpoint)
    except ReleaseError as exc:
        fail(str(exc), code=1)
    except SourceError as exc:
        fail(str(exc))
    typer.echo(f"release {made.date} written to {out}/ ({len(made.files)} files)")
    if record_terms:
        target = checkout_dir("ontology", "--record-terms") / RELEASED_TERMS
        shutil.copyfile(out / "terms.txt", target)
        typer.echo(f"recorded the release's terms in ontology/{RELEASED_TERMS}")


def register(app: typer.Typer) -> None:
    app.command()(release)
