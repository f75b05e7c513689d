"""What a query worker of `exmech serve` does: answer one query after another, each under a memory cap and
byte caps (the deadline is the server's: exmech.server.endpoint kills a worker that passes it).

Neither rdflib nor Oxigraph can be interrupted inside a thread, but a process can be killed. So everything
that can take long or grow large happens in a worker (exmech.server.pool): rdflib's parse and check of the
query (once per text, exmech.server.guard.Checked), the evaluation, and the serialisation of the answer. A
worker may allocate `max_memory` bytes beyond what it shares with the server (RLIMIT_AS, set once); one that
hits the cap answers 507, and one with less than half its cap left is replaced after its answer, so every
query starts in a worker with at least half its memory cap free.
"""

import functools
import resource
import sys
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

from rdflib import Graph, Literal
from rdflib.plugins import sparql as rdflib_sparql
from rdflib.plugins.sparql.algebra import translateQuery

from exmech.outputs.results import write_answer
from exmech.server.conneg import NotAcceptable, negotiate
from exmech.server.guard import Checked, Refused, parse_checked, quick
from exmech.server.relay import Relay, send_parts
from exmech.stores import MemoryStore, OxigraphStore, Rows

if TYPE_CHECKING:
    from exmech.server.endpoint import Endpoint

SELECT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}
NETWORK_EVENTS = {"socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "urllib.Request"}


@dataclass
class Reply:
    status: int
    media: str
    body: bytes  # the whole body, or its first part when rest holds the others
    headers: dict[str, str] = field(default_factory=dict)
    rest: Relay | None = None  # the parts still in a worker's pipe (exmech.server.relay)

    @property
    def size(self) -> int:
        return len(self.body) + (self.rest.size if self.rest is not None else 0)


def text(status, message: str, **headers: str) -> Reply:
    return Reply(int(status), "text/plain; charset=utf-8", message.encode("utf-8"), headers)


def serialize(answer, accept: str) -> tuple[str, str]:
    """A query answer (Rows, bool or Graph, from any store) in the media type the client asked for, written by
    the one results writer (exmech.outputs.results) that `exmech query` uses."""
    media, fmt = _negotiated(accept, isinstance(answer, Graph))
    return media, write_answer(answer, fmt)


@functools.lru_cache(maxsize=256)
def _negotiated(accept: str, graph: bool) -> tuple[str, str]:
    """(media type, format) for an Accept header: clients send the same few headers again and again."""
    if graph:
        return negotiate(accept, GRAPH_TYPES, "text/turtle")
    return negotiate(accept, SELECT_TYPES, "application/sparql-results+json")


def _least_bytes(answer) -> int:
    """A lower bound of the serialised size in every format: each value's text appears at least once."""
    if isinstance(answer, Rows):
        return sum(len(str(t)) for row in answer.rows for t in row if t is not None)
    if isinstance(answer, Graph):
        return sum(len(o) for o in answer.objects() if isinstance(o, Literal))
    return 0


def answer_reply(answer, accept: str, max_rows: int, max_bytes: int) -> Reply:
    size = len(answer) if isinstance(answer, (Rows, Graph)) else 1
    if size > max_rows:
        kind = "triples" if isinstance(answer, Graph) else "rows"
        return text(413, f"the result has more than {max_rows} {kind}; add a LIMIT")
    too_big = f"the result is larger than {max_bytes} bytes; select fewer or shorter values, or add a LIMIT"
    if _least_bytes(answer) > max_bytes:
        return text(413, too_big)
    media, body = serialize(answer, accept)
    data = body.encode("utf-8")
    return text(413, too_big) if len(data) > max_bytes else Reply(200, media, data)


def _address_space() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def _confine(max_memory: int) -> int:
    """In the worker: cap new memory, never reach the network from Python, never load graphs for FROM; the
    address space it started with (shared with the server)."""
    shared = _address_space()
    resource.setrlimit(resource.RLIMIT_AS, (shared + max_memory, shared + max_memory))
    rdflib_sparql.SPARQL_LOAD_GRAPHS = False

    def no_network(event, args):
        if event in NETWORK_EVENTS:
            raise PermissionError(f"a query worker may not use the network ({event})")

    sys.addaudithook(no_network)
    return shared


def _evaluate(store, decoded: str, checked: Checked, limit: int):
    if isinstance(store, MemoryStore):  # run the very parse that was checked
        return store.run(checked.parse(decoded), limit=limit)
    if not quick(decoded):
        checked.check(decoded)
        return store.run(decoded, limit=limit)
    try:  # the engine's own parse: it runs no update, and SERVICE and FROM cannot be in the text
        return store.run(decoded, limit=limit)
    except ValueError:  # the engine's syntax error: rdflib's message says what is refused, where it can
        parse_checked(decoded)
        raise


def answer(endpoint: "Endpoint", decoded: str, accept: str, checked: Checked) -> Reply:
    """The reply to one screened query text (exmech.server.guard.screen), computed in a worker."""
    try:
        result = _evaluate(endpoint.store, decoded, checked, endpoint.max_rows + 1)
        return answer_reply(result, accept, *endpoint.caps)
    except Refused as exc:
        return text(exc.status, str(exc))
    except NotAcceptable as exc:
        return text(406, str(exc))
    except MemoryError:
        return text(507, f"the query needed more than {endpoint.max_memory // 2**20} MB and was stopped")
    except Exception as exc:  # evaluation errors of a user's query
        return text(400, f"the query failed: {exc}")


def serve_queries(endpoint: "Endpoint", conn: Connection) -> None:
    """A worker's life: confine itself, then answer each message `accept NEWLINE text` with
    `status retire cpu size media NEWLINE body` (in parts, exmech.server.relay) until the pipe closes or it
    retires (after a 507, or when less than half its memory cap is left: the server then forks a fresh one)."""
    shared = _confine(endpoint.max_memory)
    store = endpoint.store
    checked = Checked()
    if isinstance(store, MemoryStore):
        namespaces = dict(store.graph.namespaces())
        checked = Checked(lambda tree: translateQuery(tree, None, namespaces))
    elif isinstance(store, OxigraphStore):
        store.is_empty()  # the store is opened read-only now, not during the first query
    while True:
        try:
            accept, _, decoded = conn.recv_bytes().decode("utf-8", "surrogatepass").partition("\n")
        except EOFError:
            return
        reply = answer(endpoint, decoded, accept, checked)
        room = shared + endpoint.max_memory - _address_space()
        retire = reply.status == 507 or room < endpoint.max_memory // 2
        size = len(reply.body)
        head = f"{reply.status} {int(retire)} {time.process_time():.6f} {size} {reply.media}\n"
        send_parts(conn, head.encode(), reply.body)
        if retire:
            return
