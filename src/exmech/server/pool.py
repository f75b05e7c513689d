"""A fixed set of long-lived query workers for `exmech serve`, forked so they share the server's graph.

Workers are forked by a forker process (exmech.server.forker) that the pool starts when it is made, before the
server's threads run, so no worker inherits a lock one of those threads held. A worker is forked the first time a
slot needs one, keeps only its own end of a pipe and the standard streams, confines itself once (memory cap, no
network) and then answers one query after another. The server never waits on a worker past a request's deadline:
it has the forker kill (SIGKILL) and reap that worker, and the next request that needs a worker gets a fresh one,
so the time limit stays hard while a good worker is reused. A worker that answered 507, whose memory grew past
its bound, or that was re-niced for a long query is replaced the same way. At most `size` workers exist; the
slots (exmech.server.slots) decide who may use one.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection

from exmech.server.forker import Forker, ForkerGone


@dataclass(eq=False)
class Worker:
    pid: int
    conn: Connection
    cpu: float | None = None  # CPU seconds it had used when it sent its last answer (None: none yet)
    exit_code: int | None = None  # once discarded


class Pool:
    """Up to `size` workers, each running `serve(conn)` in its own process until its pipe closes."""

    def __init__(self, size: int, serve: Callable[[Connection], None]):
        self.size = size
        self._idle: list[Worker] = []
        self._live: dict[int, Worker] = {}  # every worker not yet discarded, by process id
        self._lock = threading.Lock()
        self._closed = False
        self._forker = Forker(serve)

    def take(self) -> Worker:
        """An idle worker, or a new one; the caller holds a slot, so at most `size` are in use."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the worker pool is closed")
            if self._idle:
                return self._idle.pop()
        try:
            pid, conn = self._forker.spawn()
        except ForkerGone as exc:
            raise RuntimeError(str(exc)) from None
        worker = Worker(pid, conn)
        with self._lock:
            self._live[worker.pid] = worker
        return worker

    def give(self, worker: Worker) -> None:
        """Put a worker that answered back for the next request (most recently used first: warm caches)."""
        with self._lock:
            if not self._closed:
                self._idle.append(worker)
                return
        self.discard(worker)

    def discard(self, worker: Worker) -> int | None:
        """Kill and reap a worker (past its deadline, dead, or to be replaced); its exit code as
        os.waitstatus_to_exitcode gives it (-9 for a SIGKILL), None if it was reaped elsewhere. Discarding a
        worker again only returns that code."""
        if worker.conn.closed:
            return worker.exit_code
        code = self._forker.reap(worker.pid)
        worker.exit_code = code
        worker.conn.close()
        with self._lock:
            self._live.pop(worker.pid, None)
        self._stop_forker_when_done()
        return code

    def pids(self, idle_only: bool = False) -> set[int]:
        """The process ids of the workers alive now, or of those waiting for a query."""
        with self._lock:
            return {w.pid for w in self._idle} if idle_only else set(self._live)

    def close(self) -> None:
        """Stop every idle worker; workers still answering are stopped when their request gives them back."""
        with self._lock:
            self._closed, idle, self._idle = True, self._idle, []
        for worker in idle:
            self.discard(worker)
        self._stop_forker_when_done()

    def _stop_forker_when_done(self) -> None:
        """Once the pool is closed and its last worker discarded, the forker stops too."""
        with self._lock:
            done = self._closed and not self._live
        if done:
            self._forker.close()
