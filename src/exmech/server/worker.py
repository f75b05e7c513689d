"""Running one query for `exmech serve`: in a forked worker, under one deadline, a memory cap and byte caps.

Neither rdflib nor Oxigraph can be interrupted inside a thread, but a process can be killed. So everything
that can take long or grow large happens in a forked worker: rdflib's parse and check of the query, the
evaluation, and the serialisation of the answer. The server process only screens the text (linear time, see
server_guard), waits for a slot (server_slots), and relays the worker's bytes; it never holds more than one
capped answer per request. One deadline, from when the request is read, covers the wait, parse, check,
evaluation and serialisation (408 past it). The worker may allocate `max_memory` bytes beyond what it shares
with the server (RLIMIT_AS); a worker that hits the cap answers 507, or is reported as stopped at it.
"""

import gc
import hashlib
import multiprocessing as mp
import os
import resource
import signal
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import cast

from rdflib import Graph, Literal
from rdflib.plugins import sparql as rdflib_sparql
from rdflib.plugins.sparql.algebra import translateQuery

from exmech.outputs.results import write_answer
from exmech.server.conneg import NotAcceptable, negotiate
from exmech.server.guard import Refused, parse_checked, screen
from exmech.server.limits import Limits
from exmech.server.slots import LONG_WALL, SHORT, Busy, Slots
from exmech.stores import MemoryStore, OxigraphStore, Rows

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
LONG_NICE = 5  # CPU weight 1/3 of a fresh query's (Linux CFS): enough to let short ones through
KNOWN_LONG = 4096  # how many texts that ran long are remembered
POLL = 0.05  # seconds between looks at a running worker's CPU time
NETWORK_EVENTS = {"socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "urllib.Request"}


@dataclass
class Reply:
    status: int
    media: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def text(status, message: str, **headers: str) -> Reply:
    return Reply(int(status), "text/plain; charset=utf-8", message.encode("utf-8"), headers)


def serialize(answer, accept: str) -> tuple[str, str]:
    """A query answer (Rows, bool or Graph, from any store) in the media type the client asked for, written by
    the one results writer (exmech.outputs.results) that `exmech query` uses."""
    if isinstance(answer, Graph):
        media, fmt = negotiate(accept, GRAPH_TYPES, "text/turtle")
    else:
        media, fmt = negotiate(accept, SELECT_TYPES, "application/sparql-results+json")
    return media, write_answer(answer, fmt)


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


def cpu_seconds(pid: int) -> float:
    """CPU time a process has used (user + system), from /proc; 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def _confine(max_memory: int) -> None:
    """In the worker: cap new memory, never reach the network from Python, never load graphs for FROM."""
    with open("/proc/self/statm") as statm:
        shared = int(statm.read().split()[0]) * resource.getpagesize()
    resource.setrlimit(resource.RLIMIT_AS, (shared + max_memory, shared + max_memory))
    rdflib_sparql.SPARQL_LOAD_GRAPHS = False

    def no_network(event, args):
        if event in NETWORK_EVENTS:
            raise PermissionError(f"a query worker may not use the network ({event})")

    sys.addaudithook(no_network)


def _work(endpoint: "Endpoint", decoded: str, accept: str, conn) -> None:
    try:
        _confine(endpoint.max_memory)
        tree = parse_checked(decoded)
        store = endpoint.store
        limit = endpoint.max_rows + 1
        if isinstance(store, MemoryStore):  # run the very parse that was checked
            answer = store.run(translateQuery(tree, None, dict(store.graph.namespaces())), limit=limit)
        else:  # other stores get the decoded text the guard checked
            answer = store.run(decoded, limit=limit)
        reply = answer_reply(answer, accept, *endpoint.caps)
    except Refused as exc:
        reply = text(exc.status, str(exc))
    except NotAcceptable as exc:
        reply = text(406, str(exc))
    except MemoryError:
        reply = text(507, f"the query needed more than {endpoint.max_memory // 2**20} MB and was stopped")
    except Exception as exc:  # evaluation errors of a user's query
        reply = text(400, f"the query failed: {exc}")
    conn.send_bytes(f"{reply.status} {reply.media}\n".encode() + reply.body)


class Endpoint:
    """Runs read queries on a store under a deadline, row, byte and memory caps, and a bounded set of slots."""

    def __init__(self, store, limits: Limits = Limits()):
        self.store, self.limits = store, limits
        self.time_limit, self.max_rows = limits.time_limit, limits.max_rows
        self.max_bytes, self.max_memory = limits.max_bytes, limits.max_memory
        self.caps = (limits.max_rows, limits.max_bytes)
        self.slots = Slots(limits.workers, queue=limits.queue)
        self.known_long: OrderedDict[bytes, None] = OrderedDict()  # digests of texts that ran long
        self._known_lock = threading.Lock()
        if isinstance(store, OxigraphStore):  # workers open it read-only; a forked open handle would deadlock
            store.close()
            store.read_only = True
        gc.freeze()  # the loaded graph stays out of the workers' garbage collection: fewer copied pages

    def run(self, query: str, accept: str, start: float | None = None) -> Reply:
        deadline = (start or time.monotonic()) + self.time_limit
        try:
            decoded = screen(query)
            if not self.slots.acquire(deadline):
                return self._late()
        except Refused as exc:
            return text(exc.status, str(exc))
        except Busy as exc:
            return text(503, str(exc), **{"Retry-After": str(exc.retry_after)})
        long_deadline = None
        try:
            reply, long_deadline = self._fork(decoded, accept, deadline)
            return reply
        finally:
            self.slots.release(long_deadline)

    def _late(self) -> Reply:
        return text(
            408,
            f"the query ran longer than {self.time_limit:g} s and was stopped; narrow it or add a LIMIT",
        )

    def _fork(self, decoded: str, accept: str, deadline: float) -> tuple[Reply, float | None]:
        ctx = mp.get_context("fork")  # the child shares the loaded graph instead of copying it
        parent, child = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_work, args=(self, decoded, accept, child), daemon=True)
        proc.start()
        child.close()
        pid = cast(int, proc.pid)  # set once the process has started
        key = hashlib.sha256(decoded.encode("utf-8", "surrogatepass")).digest()
        # a text that was long before is long at once: its retries never crowd the slots of short queries
        long_at = time.monotonic() + (0.0 if key in self.known_long else LONG_WALL)
        long_deadline = None
        try:
            while not parent.poll(max(0.0, min(POLL, deadline - time.monotonic()))):
                if time.monotonic() >= deadline:
                    return self._late(), long_deadline
                if long_deadline is None and (time.monotonic() >= long_at or cpu_seconds(pid) >= SHORT):
                    self._remember(key)
                    self.slots.promote(deadline)
                    long_deadline = deadline
                    try:  # fresh queries get the CPU first
                        os.setpriority(os.PRIO_PROCESS, pid, LONG_NICE)
                    except ProcessLookupError:
                        pass  # it has just answered
            head, _, body = parent.recv_bytes(self.max_bytes + 4096).partition(b"\n")
            status, media = head.decode().split(" ", 1)
            return Reply(int(status), media, body), long_deadline
        except Busy as exc:
            return text(503, str(exc), **{"Retry-After": str(exc.retry_after)}), None
        except (EOFError, OSError):
            proc.join(1)
            return self._died(proc.exitcode), long_deadline
        finally:
            proc.kill()
            proc.join()
            parent.close()

    def _remember(self, key: bytes) -> None:
        with self._known_lock:
            self.known_long[key] = None
            self.known_long.move_to_end(key)
            while len(self.known_long) > KNOWN_LONG:
                self.known_long.popitem(last=False)

    def _died(self, code: int | None) -> Reply:
        if code in (-signal.SIGABRT, -signal.SIGKILL, -signal.SIGSEGV, -signal.SIGBUS):
            return text(
                507,
                f"the query worker was stopped (signal {-code}), most likely at its memory limit of "
                f"{self.max_memory // 2**20} MB; narrow the query",
            )
        return text(500, f"the query worker stopped without an answer (exit code {code})")
