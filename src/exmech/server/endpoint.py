"""Running read queries for `exmech serve`: one deadline per request, a bounded set of slots, reused workers.

The server process only screens the text (linear time, exmech.server.guard.screen), waits for a slot
(exmech.server.slots), hands the text to a long-lived worker (exmech.server.pool; what the worker does is
exmech.server.worker) and relays its bytes in parts (exmech.server.relay): it holds one part of an answer per
request, never the whole. One
deadline, from when the request is read, covers the wait, parse, check, evaluation and serialisation: past it
the worker is killed and replaced and the client gets 408. While a query runs the server watches its CPU time
and wall time and makes it *long* (exmech.server.slots) when it needs to; a long query's worker is re-niced, so
it is replaced afterwards rather than given a fresh query at low priority.
"""

import gc
import hashlib
import os
import signal
import threading
import time
from collections import OrderedDict

from exmech.server.guard import Refused, screen
from exmech.server.limits import Limits
from exmech.server.pool import Pool, Worker
from exmech.server.relay import RELAY_PART, Relay, RelayCut
from exmech.server.slots import LONG_WALL, SHORT, Busy, Slots
from exmech.server.worker import Reply, serve_queries, text
from exmech.stores import OxigraphStore

LONG_NICE = 5  # CPU weight 1/3 of a fresh query's (Linux CFS): enough to let short ones through
KNOWN_LONG = 4096  # how many texts that ran long are remembered
POLL = 0.05  # seconds between looks at a running worker's CPU time


def cpu_seconds(pid: int) -> float:
    """CPU time a process has used (user + system), from /proc; 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


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
        # last: the pool's forker is forked now, with the store closed and before any of the server's threads
        self.pool = Pool(limits.workers, lambda conn: serve_queries(self, conn))

    def run(self, query: str, accept: str, start: float | None = None, stream: bool = False) -> Reply:
        """The reply to a query. stream: a large answer's later parts are left in reply.rest (a Relay) for the
        caller to relay and close; otherwise the whole body is read here (the term pages, which parse it)."""
        deadline = (start or time.monotonic()) + self.time_limit
        try:
            decoded = screen(query)
            if not self.slots.acquire(deadline):
                return self._late()
        except Refused as exc:
            return text(exc.status, str(exc))
        except Busy as exc:
            return text(503, str(exc), **{"Retry-After": str(exc.retry_after)})
        try:
            reply, long_deadline = self._ask(decoded, accept, deadline)
        except BaseException:
            self.slots.release(None)
            raise
        if reply.rest is None:
            self.slots.release(long_deadline)
            return reply
        reply.rest.finishers.append(lambda complete: self.slots.release(long_deadline))
        return reply if stream else self._whole(reply)

    def _whole(self, reply: Reply) -> Reply:
        """A streamed reply read whole (its parts under the same deadline), or 408 / 500 if they stop."""
        assert reply.rest is not None
        try:
            body = reply.body + b"".join(reply.rest)
        except RelayCut as exc:
            return self._late() if exc.late else text(500, str(exc))
        finally:
            reply.rest.close()
        return Reply(reply.status, reply.media, body, reply.headers)

    def close(self) -> None:
        """Stop the workers (the server is closing)."""
        self.pool.close()

    def _late(self, cpu: float | None = None) -> Reply:
        """408. cpu: what the stopped worker had used on this query, so the client (and an operator reading a
        failed test) can tell a query that computed for its whole time from one that waited for the CPU."""
        used = f" (it had used {cpu:.1f} s of CPU)" if cpu is not None else ""
        return text(
            408,
            f"the query ran longer than {self.time_limit:g} s{used} and was stopped; narrow it or add a LIMIT",
        )

    def _send(self, message: bytes) -> Worker:
        """A worker that has taken the message: a worker that died while idle is replaced, once."""
        worker = self.pool.take()
        try:
            worker.conn.send_bytes(message)
        except OSError:
            self.pool.discard(worker)
            worker = self.pool.take()
            try:
                worker.conn.send_bytes(message)
            except OSError:  # a fresh worker that cannot take a query: a fault of this server (500)
                self.pool.discard(worker)
                raise
        return worker

    def _ask(self, decoded: str, accept: str, deadline: float) -> tuple[Reply, float | None]:
        """The worker's reply, or 408 / 503 / 507; the long slot's deadline if the query became long. The worker
        is given back (or discarded) now, or, for a reply with parts still to relay, when its relay closes."""
        accept = accept.replace("\n", " ")
        worker = self._send(f"{accept}\n{decoded}".encode("utf-8", "surrogatepass"))
        keep, long_deadline = False, None
        try:
            reply, keep, long_deadline = self._wait(worker, decoded, deadline)
        except Busy as exc:
            reply = text(503, str(exc), **{"Retry-After": str(exc.retry_after)})
        except BaseException:
            self.pool.discard(worker)
            raise
        if reply.rest is None:
            self._settle(worker, keep)
        else:
            reply.rest.finishers.append(lambda complete: self._settle(worker, keep and complete))
        return reply, long_deadline

    def _settle(self, worker: Worker, keep: bool) -> None:
        if keep:
            self.pool.give(worker)
        else:  # past its deadline, stopped, retired, re-niced or cut off mid-answer: never given another query
            self.pool.discard(worker)

    def _wait(self, worker: Worker, decoded: str, deadline: float) -> tuple[Reply, bool, float | None]:
        """Wait for the answer until the deadline, promoting the query to a long slot when it needs one."""
        base = cpu_seconds(worker.pid) if worker.cpu is None else worker.cpu
        key = hashlib.sha256(decoded.encode("utf-8", "surrogatepass")).digest()
        # a text that was long before is long at once: its retries never crowd the slots of short queries
        long_at = time.monotonic() + (0.0 if key in self.known_long else LONG_WALL)
        long_deadline = None
        while not worker.conn.poll(max(0.0, min(POLL, deadline - time.monotonic()))):
            now = time.monotonic()
            if now >= deadline:
                return self._late(cpu_seconds(worker.pid) - base), False, long_deadline
            if long_deadline is None and (now >= long_at or cpu_seconds(worker.pid) - base >= SHORT):
                self._remember(key)
                self.slots.promote(deadline)
                long_deadline = deadline
                try:  # fresh queries get the CPU first
                    os.setpriority(os.PRIO_PROCESS, worker.pid, LONG_NICE)
                except ProcessLookupError:
                    pass  # it has just answered
        try:
            head, _, body = worker.conn.recv_bytes(RELAY_PART + 4096).partition(b"\n")
        except (EOFError, OSError):  # it died: killed at its memory cap, or by someone else
            return self._died(self.pool.discard(worker)), False, long_deadline
        status, retire, cpu, size, media = head.decode().split(" ", 4)
        worker.cpu = float(cpu)
        keep = retire == "0" and long_deadline is None  # a re-niced worker is replaced, not reused
        left = int(size) - len(body)
        rest = Relay(worker.conn, left, deadline) if left > 0 else None
        return Reply(int(status), media, body, rest=rest), keep, long_deadline

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
