"""The rest of a large answer, relayed from a query worker to the client in parts (exmech.server.endpoint).

A worker serialises and size-checks its whole answer (the byte cap, 413, is decided before any byte is sent), then
sends it over its pipe in parts of RELAY_PART bytes: the first with the status line, the rest one by one. The server
holds one part per request at a time and writes each to the client as it arrives, under the request's deadline; the
worker stays taken (and its slot held) until the last part is relayed, and one whose answer was cut off (past the
deadline, the client gone, a HEAD request) is killed, never reused with parts left in its pipe."""

import socket
import time
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection

RELAY_PART = 256 * 1024  # bytes per pipe message: one part held in the server per request


class RelayCut(Exception):
    """The worker's parts stopped coming: past the request's deadline (late), or the worker died."""

    def __init__(self, message: str, late: bool = False):
        super().__init__(message)
        self.late = late


class Relay:
    """The parts of an answer still in a worker's pipe (`size` bytes), read up to the request's deadline.
    close() (always called by whoever took the reply) runs the finishers with whether every part came."""

    def __init__(self, conn: Connection, size: int, deadline: float):
        self.conn, self.size, self.deadline = conn, size, deadline
        self.finishers: list[Callable[[bool], None]] = []
        self.complete, self.closed = size == 0, False

    def __iter__(self) -> Iterator[bytes]:
        left = self.size
        while left > 0:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0 or not self.conn.poll(remaining):
                raise RelayCut("the answer was not relayed within the time limit", late=True)
            try:
                part = self.conn.recv_bytes(RELAY_PART)
            except (EOFError, OSError):  # died, or sent a part larger than a part
                raise RelayCut("the query worker stopped in the middle of its answer") from None
            if len(part) > left:
                raise RelayCut("the query worker sent more than it announced")
            left -= len(part)
            yield part
        self.complete = True

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            for finish in self.finishers:
                finish(self.complete)


def send_parts(conn: Connection, head: bytes, body: bytes) -> None:
    """In the worker: the head with the first part, then the other parts, each one pipe message."""
    view = memoryview(body)
    conn.send_bytes(head + view[:RELAY_PART])
    for start in range(RELAY_PART, len(view), RELAY_PART):
        conn.send_bytes(view[start : start + RELAY_PART])


def send_body(out, sock: socket.socket, timeout: float, body: bytes, rest: Relay | None, write: bool) -> bool:
    """In the server: write the body's first part and then the relay's parts as they come (nothing if not write:
    a HEAD request), each write bounded by the socket timeout and the request's deadline; the relay is closed in
    every case. False if the answer was cut off midway (the connection must then be closed)."""
    try:
        if write:
            out.write(body)
            deadline = rest.deadline if rest is not None else 0.0
            for part in rest if rest is not None else ():
                sock.settimeout(max(0.001, min(timeout, deadline - time.monotonic())))
                out.write(part)
    except RelayCut:
        return False
    finally:
        sock.settimeout(timeout)
        if rest is not None:
            rest.close()
    return True
