"""A fixed set of long-lived query workers for `exmech serve`, forked from the server so they share its graph.

A worker is forked (os.fork) the first time a slot needs one, keeps only its own end of a pipe and the standard
streams (every other inherited descriptor is pointed at /dev/null: client sockets, the listening socket,
other workers' pipes), confines itself once (memory cap, no network) and then answers one query after another. The server
never waits on a worker past a request's deadline: it kills that worker (SIGKILL) and reaps it, and the next
request that needs a worker forks a fresh one, so the time limit stays hard while a good worker is reused.
A worker that answered 507, whose memory grew past its bound, or that was re-niced for a long query is
replaced the same way. At most `size` workers exist; the slots (exmech.server.slots) decide who may use one.
"""

import gc
import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, Pipe


@dataclass(eq=False)
class Worker:
    pid: int
    conn: Connection
    cpu: float | None = None  # CPU seconds it had used when it sent its last answer (None: none yet)
    exit_code: int | None = None  # once discarded


def _close_inherited(keep: set[int]) -> None:
    """In a new worker: point every descriptor it inherited, except `keep` and the standard streams, at
    /dev/null. The numbers stay taken, so a server object finalised later in the worker (a socket, another
    worker's pipe) closes its /dev/null copy and never a file the worker opened since."""
    null = os.open(os.devnull, os.O_RDWR)
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd > 2 and fd not in keep and fd != null:
            try:
                os.dup2(null, fd)
            except OSError:
                pass  # the directory's own descriptor, already gone
    os.close(null)


class Pool:
    """Up to `size` workers, each running `serve(conn)` in its own process until its pipe closes."""

    def __init__(self, size: int, serve: Callable[[Connection], None]):
        self.size, self._serve = size, serve
        self._idle: list[Worker] = []
        self._live: dict[int, Worker] = {}  # every worker not yet discarded, by process id
        self._lock = threading.Lock()
        self._closed = False

    def take(self) -> Worker:
        """An idle worker, or a new one; the caller holds a slot, so at most `size` are in use."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the worker pool is closed")
            if self._idle:
                return self._idle.pop()
        worker = self._spawn()
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
        try:
            os.kill(worker.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            _, status = os.waitpid(worker.pid, 0)
            code: int | None = os.waitstatus_to_exitcode(status)
        except ChildProcessError:
            code = None
        worker.exit_code = code
        worker.conn.close()
        with self._lock:
            self._live.pop(worker.pid, None)
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

    def _spawn(self) -> Worker:
        parent, child = Pipe(duplex=True)
        pid = os.fork()
        if pid == 0:  # the worker: it never returns into the server's code
            gc.freeze()  # what it inherited is never finalised here (the server's handles) and its pages stay shared
            code = 0
            try:
                parent.close()
                _close_inherited({child.fileno()})
                self._serve(child)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        child.close()
        return Worker(pid, parent)
