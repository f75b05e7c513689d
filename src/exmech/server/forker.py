"""The process that forks `exmech serve`'s query workers: forked once, single-threaded, when the pool is made.

A process that forks while other threads run hands its child every lock those threads held at that instant,
held forever: a module's import lock, a buffered stream's lock, an allocator's. The server runs a thread per
connection, so a worker forked from it on demand could wait on such a lock without using any CPU until its
request's deadline. Instead the pool forks this forker once, before the server's threads start (the data
loaded, so it shares the server's pages), and the forker, which never starts a thread, forks each worker.

The forker keeps only its control socket (every other descriptor it inherited is pointed at /dev/null, as a
worker's are) and ignores SIGINT (the server decides when to stop). Over the control socket (one datagram per
message, SOCK_SEQPACKET) it answers `spawn` with a new worker's process id and the server's end of the
worker's pipe (passed with SCM_RIGHTS), and `reap PID` by killing (SIGKILL) and reaping that worker and
sending its exit code. When the server closes the socket, or dies, the forker stops its workers and exits.
"""

import gc
import os
import signal
import socket
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection, Pipe

MESSAGE = 64  # bytes: the longest message either side sends


class ForkerGone(RuntimeError):
    """The forker stopped (killed, or the pool closed): no worker can be started."""


def close_inherited(keep: set[int]) -> None:
    """In a forked process: point every descriptor it inherited, except `keep` and the standard streams, at
    /dev/null. The numbers stay taken, so an object finalised later in the process (a socket, another
    worker's pipe) closes its /dev/null copy and never a file the process opened since."""
    null = os.open(os.devnull, os.O_RDWR)
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd > 2 and fd not in keep and fd != null:
            try:
                os.dup2(null, fd)
            except OSError:
                pass  # the directory's own descriptor, already gone
    os.close(null)


class Forker:
    """A forker process, started now, that runs `serve(conn)` in each worker it forks."""

    def __init__(self, serve: Callable[[Connection], None]):
        self._lock = threading.Lock()  # one request and its answer at a time on the control socket
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.pid = os.fork()
        if self.pid == 0:  # the forker: it never returns into the server's code
            code = 0
            try:
                ours.close()
                _run(theirs, serve)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        theirs.close()
        self._sock: socket.socket | None = ours

    def spawn(self) -> tuple[int, Connection]:
        """A new worker: its process id and the server's end of its pipe."""
        data, fds = self._ask(b"spawn")
        if not fds:
            raise ForkerGone(f"the worker forker could not start a worker: {data.decode(errors='replace')}")
        return int(data), Connection(fds[0])

    def reap(self, pid: int) -> int | None:
        """Kill and reap a worker; its exit code as os.waitstatus_to_exitcode gives it (-9 for a SIGKILL), None
        if it was not the forker's (or the forker is gone: it has stopped its workers)."""
        try:
            data, _ = self._ask(f"reap {pid}".encode())
        except ForkerGone:
            return None
        return None if data == b"none" else int(data)

    def close(self) -> None:
        """Stop the forker and every worker it still has; waits for the forker to exit."""
        with self._lock:
            sock, self._sock = self._sock, None
        if sock is None:
            return
        sock.close()
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass

    def _ask(self, message: bytes) -> tuple[bytes, list[int]]:
        with self._lock:
            if self._sock is None:
                raise ForkerGone("the worker pool is closed")
            try:
                self._sock.sendall(message)
                data, got, _, _ = socket.recv_fds(self._sock, MESSAGE, 1)
            except OSError as exc:
                raise ForkerGone(f"the worker forker has stopped ({exc}); restart the server") from None
        if not data:
            raise ForkerGone("the worker forker has stopped; restart the server")
        return data, got


def _run(sock: socket.socket, serve: Callable[[Connection], None]) -> None:
    """The forker's life: answer spawn and reap until the server closes the socket, then stop the workers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.freeze()  # what it inherited is never finalised here and its pages stay shared
    close_inherited({sock.fileno()})
    workers: set[int] = set()
    try:
        while message := sock.recv(MESSAGE):
            if message == b"spawn":
                _spawn(sock, serve, workers)
            elif message.startswith(b"reap "):
                sock.sendall(_reap(int(message[5:]), workers))
            else:
                sock.sendall(b"unknown request")
    finally:
        for pid in list(workers):
            _reap(pid, workers)


def _spawn(sock: socket.socket, serve: Callable[[Connection], None], workers: set[int]) -> None:
    try:
        server_end, worker_end = Pipe(duplex=True)
    except OSError as exc:
        sock.sendall(str(exc).encode()[:MESSAGE])
        return
    try:
        pid = os.fork()
    except OSError as exc:
        server_end.close()
        worker_end.close()
        sock.sendall(str(exc).encode()[:MESSAGE])
        return
    if pid == 0:  # the worker
        code = 0
        try:
            sock.close()
            server_end.close()
            gc.freeze()
            close_inherited({worker_end.fileno()})
            serve(worker_end)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    worker_end.close()
    workers.add(pid)
    socket.send_fds(sock, [str(pid).encode()], [server_end.fileno()])
    server_end.close()  # the server has its own copy now


def _reap(pid: int, workers: set[int]) -> bytes:
    if pid not in workers:
        return b"none"
    workers.discard(pid)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return b"none"
    return str(os.waitstatus_to_exitcode(status)).encode()
