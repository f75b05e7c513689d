"""Loading the graph into any SPARQL 1.1 Graph Store Protocol server (Oxigraph, Fuseki, GraphDB, Virtuoso).

The graph goes as N-Triples into `?graph=IRI` (or `?default`) of the Graph Store URL: the first request is a PUT,
which replaces that graph; a large graph is cut at line ends into parts of at most `part_bytes` and every later part
is a POST, which adds to it (SPARQL 1.1 Graph Store Protocol 5.5), so no server has to take one huge request and
no part is ever held in memory whole. The triples holding a blank node go together in one request, the first (a
blank node label is scoped to one document, so cutting them apart would split a node in two); they are copied out
of the file, with the others, into two temporary files. Sending a whole file with a few blank nodes (an ontology's
restrictions) in one request made Virtuoso 7.2 take one transaction of the whole graph: 66 MiB took minutes where
its bulk loader took seconds, and 100k studies did not finish in an hour.
Virtuoso: its Graph Store that writes is /sparql-graph-crud-auth, behind HTTP Digest (user dba on a new database,
`--user dba` with EXMECH_PASSWORD); it has no default graph to PUT into (500) and needs --graph, while its query
service /sparql answers over the union of its graphs. The Graph Store Protocol is used rather than SPARQL Update
(INSERT DATA through /sparql-auth) because every store named above speaks it and a PUT replaces rather than adds.

Where the graph comes from (write_ntriples): an rdflib graph is serialised to a temporary N-Triples file, an on-disk
Oxigraph store dumps into it (streamed by the engine), another store's triples are fetched with one bounded
CONSTRUCT; each part is then streamed from the file with a Content-Length. The exchanges are bounded by
exmech.stores.http_client (one deadline for the whole push, small answers, same-origin redirects only). Only HTTP
200, 201 or 204 answers, read completely, count as success."""

import tempfile
import time
import urllib.parse
from contextlib import ExitStack, nullcontext
from pathlib import Path
from typing import BinaryIO

from rdflib import Graph

from exmech.errors import InputError
from exmech.stores.auth import Credentials
from exmech.stores.http_client import Limits, RemoteError, check_url, redact, request
from exmech.stores.rows import IRI

PUSH_TIMEOUT = 600.0
ANSWER_CAP = 1024 * 1024  # a store's answer to a PUT is a status and at most a short page
PART_BYTES = (
    32 * 1024 * 1024
)  # bytes of N-Triples per request: large enough to be fast, small enough for any store
ALL_TRIPLES = "CONSTRUCT WHERE { ?s ?p ?o }"


class PushError(InputError):
    """The push cannot start: the URL or graph IRI given is not usable (an input error)."""


class _Part:
    """A byte range of an open file, read like a file (http.client sends a body by read() until it ends)."""

    def __init__(self, file: BinaryIO, start: int, length: int):
        self.file, self.start, self.length, self.position = file, start, length, 0

    def tell(self) -> int:
        return self.position

    def seek(self, position: int) -> None:
        self.position = position

    def read(self, size: int = -1) -> bytes:
        left = self.length - self.position
        size = left if size is None or size < 0 else min(size, left)
        self.file.seek(self.start + self.position)
        data = self.file.read(size)
        self.position += len(data)
        return data


def _blank(line: bytes) -> bool:
    stripped = line.lstrip()
    return stripped.startswith(b"_:") or b" _:" in line  # a literal holding " _:" only joins the blank group


def parts(file: BinaryIO, part_bytes: int = PART_BYTES) -> tuple[list[tuple[int, int]], int, bool]:
    """The (start, length) byte ranges that cut an N-Triples file at line ends into parts of about part_bytes,
    the number of triples in it, and whether any line holds a blank node."""
    file.seek(0)
    ranges, start, position, triples, blank = [], 0, 0, 0, False
    for line in file:
        position += len(line)
        stripped = line.lstrip()
        if stripped and not stripped.startswith(b"#"):
            triples += 1
            blank = blank or _blank(line)
        if position - start >= part_bytes:
            ranges.append((start, position - start))
            start = position
    if position > start or not ranges:
        ranges.append((start, position - start))
    return ranges, triples, blank


def split_blank(file: BinaryIO, plain: BinaryIO, nodes: BinaryIO) -> None:
    """Copy an N-Triples file line by line: the lines holding a blank node into nodes, the others into plain."""
    file.seek(0)
    for line in file:
        (nodes if _blank(line) else plain).write(line)
    plain.flush()
    nodes.flush()


def _target(store_url: str, graph_iri: str | None) -> str:
    try:
        check_url(store_url)
    except ValueError as exc:
        raise PushError(f"{exc}: a Graph Store Protocol URL is needed") from None
    if graph_iri is not None and not IRI.fullmatch(graph_iri):
        raise PushError(f"--graph {graph_iri!r} is not a valid IRI")
    target = urllib.parse.urlencode({"graph": graph_iri}) if graph_iri else "default"
    return f"{store_url}{'&' if '?' in store_url else '?'}{target}"


def push_file(
    path: Path | BinaryIO,
    store_url: str,
    graph_iri: str | None = None,
    timeout: float = PUSH_TIMEOUT,
    auth: Credentials | None = None,
    part_bytes: int = PART_BYTES,
) -> int:
    """Send an N-Triples file into the named (or default) graph, replacing it; return the number of triples sent.
    Raises PushError for a bad URL or IRI, exmech.stores.http_client.RemoteError when the server fails."""
    url = _target(store_url, graph_iri)
    deadline = time.monotonic() + timeout
    with _opened(path) as data, ExitStack() as spill:
        ranges, triples, blank = parts(data, part_bytes)
        pieces = [_Part(data, start, length) for start, length in ranges]
        if blank:  # the blank-node triples first, in one request; the others in parts
            plain, nodes = (spill.enter_context(tempfile.TemporaryFile()) for _ in range(2))
            split_blank(data, plain, nodes)
            pieces = [_Part(nodes, 0, nodes.tell())]
            pieces += [_Part(plain, start, length) for start, length in parts(plain, part_bytes)[0] if length]
        for number, piece in enumerate(pieces):
            left = deadline - time.monotonic()
            if left <= 0:
                raise RemoteError(f"{redact(store_url)} took longer than {timeout:g} s (--timeout)")
            try:
                _send_part("PUT" if number == 0 else "POST", url, piece, left, auth)
            except RemoteError as exc:  # one deadline for the whole push: said as the user gave it
                if "gave no complete answer within" not in str(exc):
                    raise
                raise RemoteError(
                    f"{redact(url)} gave no complete answer within {timeout:g} s (--timeout)"
                ) from None
    return triples


def _opened(path: Path | BinaryIO):
    return path.open("rb") if isinstance(path, Path) else nullcontext(path)


def _send_part(method: str, url: str, body: _Part, timeout: float, auth: Credentials | None) -> None:
    try:
        answer = request(
            method,
            url,
            body=body,  # type: ignore[arg-type]  # read like a file
            length=body.length,
            headers={"Content-Type": "application/n-triples"},
            limits=Limits(timeout=timeout, max_bytes=ANSWER_CAP),
            auth=auth,
        )
    except RemoteError as exc:
        if url.endswith("?default") and exc.status == 500:
            raise RemoteError(
                f"{exc} (a store with no default graph to load into, as Virtuoso, needs --graph IRI)"
            ) from None
        raise
    if answer.status not in (200, 201, 204):
        shown = redact(url.rpartition("?")[0])
        raise RemoteError(f"{shown} answered HTTP {answer.status}, not 200, 201 or 204")


def write_ntriples(source, file: BinaryIO) -> None:
    """The whole graph of a source (an rdflib Graph, or a store) as N-Triples into an open binary file: an
    Oxigraph store dumps it (streamed by the engine), an rdflib graph is serialised, any other store answers one
    CONSTRUCT (bounded by its client's limits)."""
    from exmech.stores.memory import MemoryStore
    from exmech.stores.oxigraph import OxigraphStore

    if isinstance(source, OxigraphStore):
        import pyoxigraph as ox

        source.store.dump(file, ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        return
    graph = source.graph if isinstance(source, MemoryStore) else source
    if not isinstance(graph, Graph):
        graph = source.construct(ALL_TRIPLES)
    graph.serialize(destination=file, format="nt", encoding="utf-8")


def push(
    source,
    store_url: str,
    graph_iri: str | None = None,
    timeout: float = PUSH_TIMEOUT,
    auth: Credentials | None = None,
    part_bytes: int = PART_BYTES,
) -> int:
    """Push a graph or a store's whole graph (write_ntriples) through a temporary N-Triples file (push_file)."""
    _target(store_url, graph_iri)  # a bad URL or IRI is refused before any work
    with tempfile.TemporaryFile() as data:
        write_ntriples(source, data)
        data.flush()
        return push_file(data, store_url, graph_iri, timeout, auth, part_bytes)
