"""A read-only SPARQL 1.1 Protocol endpoint, a query page and dereferenceable IRIs (standard library only).

Served from any store in exmech.stores (rdflib in memory, or an on-disk Oxigraph store); binds to 127.0.0.1
unless told otherwise. The parts, each in its own module:
  server_guard   what a query may do, decided on the decoded text both parsers read (no SERVICE, FROM, updates)
  server_worker  each query in a forked worker: one deadline (408), row and byte caps (413), a memory cap (507)
  server_slots   bounded workers and queue (503 + Retry-After); short queries are never stuck behind long ones
  server_conneg  content negotiation with q-values and wildcards (406 when nothing is acceptable)
  server_pages   the query page, term pages and the Content-Security-Policy that allows only their own code
  server_http    the handler: body and socket limits, Host check, security headers, HEAD, OPTIONS (CORS)
"""

from rdflib import Graph

from exmech.server.guard import Refused, check_query
from exmech.server.protocol import READ_DEADLINE, SOCKET_TIMEOUT, Server, make_handler
from exmech.server.worker import Endpoint, serialize


def make_server(
    store,
    host: str = "127.0.0.1",
    port: int = 0,
    time_limit: float = 10.0,
    max_rows: int = 10000,
    *,
    max_bytes: int = 16 * 2**20,
    max_memory: int = 1024 * 2**20,
    workers: int = 8,
    queue: int = 64,
    public_names: tuple[str, ...] = (),
    socket_timeout: float = SOCKET_TIMEOUT,
    read_deadline: float = READ_DEADLINE,
) -> Server:
    """A server for a store from exmech.stores (or an rdflib Graph, served from memory)."""
    if isinstance(store, Graph):
        from exmech.stores import MemoryStore

        store = MemoryStore(store)
    endpoint = Endpoint(store, time_limit, max_rows, max_bytes, max_memory, workers, queue)
    return Server((host, port), make_handler(endpoint, socket_timeout), public_names, read_deadline)


__all__ = ["make_server", "Endpoint", "check_query", "serialize", "Refused"]
