"""Loading the graph into any SPARQL 1.1 Graph Store Protocol server (Oxigraph, Fuseki, GraphDB, Virtuoso).

One HTTP PUT of the graph into `?graph=IRI` (or `?default`) of the Graph Store URL, which replaces that graph.
Virtuoso: its Graph Store that writes is /sparql-graph-crud-auth, behind HTTP Digest (user dba on a new database,
`--user dba` with EXMECH_PASSWORD); it has no default graph to PUT into (500) and needs --graph, while its query
service /sparql answers over the union of its graphs. The Graph Store Protocol is used rather than SPARQL Update
(INSERT DATA through /sparql-auth) because it is one streamed request that every store named above speaks and
that replaces rather than adds.

The graph is serialised to a temporary N-Triples file and streamed from it with a Content-Length (no second
copy in memory); the exchange is bounded by exmech.stores.http_client (one deadline, small answers, same-origin
redirects only). Only an HTTP 200, 201 or 204 answer, read completely, counts as success."""

import tempfile
import urllib.parse

from rdflib import Graph

from exmech.errors import InputError
from exmech.stores import IRI
from exmech.stores.auth import Credentials
from exmech.stores.http_client import Limits, RemoteError, check_url, redact, request

PUSH_TIMEOUT = 600.0
ANSWER_CAP = 1024 * 1024  # a store's answer to a PUT is a status and at most a short page


class PushError(InputError):
    """The push cannot start: the URL or graph IRI given is not usable (an input error)."""


def push(
    graph: Graph,
    store_url: str,
    graph_iri: str | None = None,
    timeout: float = PUSH_TIMEOUT,
    auth: Credentials | None = None,
) -> int:
    """PUT the graph as N-Triples into the named (or default) graph; return the number of triples sent.
    Raises PushError for a bad URL or IRI, exmech.stores.http_client.RemoteError when the server fails."""
    try:
        check_url(store_url)
    except ValueError as exc:
        raise PushError(f"{exc}: a Graph Store Protocol URL is needed") from None
    if graph_iri is not None and not IRI.fullmatch(graph_iri):
        raise PushError(f"--graph {graph_iri!r} is not a valid IRI")
    target = urllib.parse.urlencode({"graph": graph_iri}) if graph_iri else "default"
    url = f"{store_url}{'&' if '?' in store_url else '?'}{target}"
    with tempfile.TemporaryFile() as data:
        graph.serialize(destination=data, format="nt", encoding="utf-8")
        size = data.tell()
        data.seek(0)
        try:
            answer = request(
                "PUT",
                url,
                body=data,
                length=size,
                headers={"Content-Type": "application/n-triples"},
                limits=Limits(timeout=timeout, max_bytes=ANSWER_CAP),
                auth=auth,
            )
        except RemoteError as exc:
            if graph_iri is None and exc.status == 500:
                raise RemoteError(
                    f"{exc} (a store with no default graph to load into, as Virtuoso, needs --graph IRI)"
                ) from None
            raise
    if answer.status not in (200, 201, 204):
        raise RemoteError(f"{redact(store_url)} answered HTTP {answer.status}, not 200, 201 or 204")
    return len(graph)
