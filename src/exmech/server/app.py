"""A read-only SPARQL 1.1 Protocol endpoint, a query page and dereferenceable IRIs.

Served from any store in exmech.stores (rdflib in memory, or an on-disk Oxigraph store); binds to 127.0.0.1
unless told otherwise. The parts, each in its own module:
  guard     what a query may do, decided on the decoded text both parsers read (no SERVICE, FROM, updates)
  limits    `Limits`: the one place the endpoint's defaults are written
  endpoint  one deadline per request (408: the worker is killed and replaced), slots, the worker pool
  pool      a fixed number of long-lived workers, reused from query to query
  forker    the single-threaded process, forked when the pool is made, that forks the workers
  worker    what a worker does: the checked parse once per text, row and byte caps (413), a memory cap (507)
  slots     bounded workers and queue (503 + Retry-After); short queries are never stuck behind long ones
  conneg    content negotiation with q-values and wildcards (406 when nothing is acceptable)
  pages     the query page and the static files from package data (Jinja2 templates, autoescaped), the
            Content-Security-Policy that allows only the server's own scripts and styles
  terms     what a term or study IRI answers: its description (blank nodes kept) by conneg, or a page to read
  publish   the endpoint describing itself: service description, VoID, the ontology and the JSON-LD context
  protocol  the handler: body and socket limits, Host check, security headers, HEAD, OPTIONS (CORS), routes
"""

import dataclasses

from rdflib import Graph

from exmech.server.endpoint import Endpoint
from exmech.server.guard import Refused, check_query
from exmech.server.limits import READ_DEADLINE, SOCKET_TIMEOUT, Limits
from exmech.server.protocol import Server
from exmech.server.worker import serialize


def make_server(
    store,
    host: str = "127.0.0.1",
    port: int = 0,
    limits: Limits | None = None,
    *,
    public_names: tuple[str, ...] = (),
    socket_timeout: float = SOCKET_TIMEOUT,
    read_deadline: float = READ_DEADLINE,
    **overrides,
) -> Server:
    """A server for a store from exmech.stores (or an rdflib Graph, served from memory).

    `overrides` replace single fields of `limits` (time_limit=6, max_rows=500 ...)."""
    if isinstance(store, Graph):
        from exmech.stores import MemoryStore

        store = MemoryStore(store)
    limits = dataclasses.replace(limits or Limits(), **overrides)
    return Server((host, port), Endpoint(store, limits), public_names, read_deadline, socket_timeout)


__all__ = ["make_server", "Endpoint", "Limits", "check_query", "serialize", "Refused"]
