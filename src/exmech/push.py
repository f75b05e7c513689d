"""Loading the graph into any SPARQL 1.1 Graph Store Protocol server (Oxigraph, Fuseki, GraphDB, Virtuoso)."""

import urllib.error
import urllib.parse
import urllib.request

from rdflib import Graph

from .stores import IRI


class PushError(RuntimeError):
    pass


def push(graph: Graph, store_url: str, graph_iri: str | None = None, timeout: float = 300) -> int:
    """PUT the graph as N-Triples into the named (or default) graph; return the number of triples sent."""
    if not store_url.startswith(("http://", "https://")):
        raise PushError(f"{store_url!r} is not an http(s) Graph Store Protocol URL")
    if graph_iri is not None and not IRI.fullmatch(graph_iri):
        raise PushError(f"--graph {graph_iri!r} is not a valid IRI")
    target = urllib.parse.urlencode({"graph": graph_iri}) if graph_iri else "default"
    url = f"{store_url}{'&' if '?' in store_url else '?'}{target}"
    data = graph.serialize(format="nt", encoding="utf-8")
    request = urllib.request.Request(
        url, data=data, method="PUT", headers={"Content-Type": "application/n-triples"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            if response.status not in (200, 201, 204):
                raise PushError(f"{url}: HTTP {response.status}")
    except urllib.error.HTTPError as exc:
        raise PushError(f"{url}: HTTP {exc.code}: {exc.read()[:300].decode('utf-8', 'replace')}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise PushError(f"{url}: {exc}") from exc
    return len(graph)
