"""Misbehaving HTTP servers on 127.0.0.1 for the client tests: each writes raw bytes, so it can trickle, lie about
lengths, send huge bodies generated on the fly, redirect elsewhere or not speak HTTP at all.

    with HostileServer(behaviour) as server:   # behaviour(conn) writes the answer through conn.send(...)
        ... server.url ..., server.requests, server.sent

Every loop is bounded (a byte budget or an iteration count) and stops when the client goes away or the test ends.
"""

import json
import socketserver
import threading
import time

GIB = 1 << 30
JSON_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"


class _Handler(socketserver.StreamRequestHandler):
    def handle(self):
        server = self.server.owner
        request = {"line": self.rfile.readline(8192).decode("latin-1").strip(), "headers": {}, "body": 0}
        for _ in range(100):
            line = self.rfile.readline(8192).decode("latin-1")
            if line in ("\r\n", "\n", ""):
                break
            name, _, value = line.partition(":")
            request["headers"][name.strip().lower()] = value.strip()
        left = int(request["headers"].get("content-length", "0") or 0)
        keep = open(server.keep_body, "ab") if server.keep_body else None  # noqa: SIM115
        while left > 0:  # take the whole upload, as a real store does, before answering
            chunk = self.rfile.read(min(left, 1 << 16))
            if not chunk:
                break
            left -= len(chunk)
            request["body"] += len(chunk)
            if keep:
                keep.write(chunk)
        if keep:
            keep.close()
        server.requests.append(request)
        self.info = request
        try:
            server.behaviour(self)
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass  # the client hung up: the point of most of these tests

    def send(self, data: bytes) -> None:
        if self.server.owner.stop.is_set():
            raise BrokenPipeError
        self.connection.sendall(data)
        self.server.owner.sent += len(data)


class HostileServer:
    """A threaded TCP server on 127.0.0.1 answering every request with behaviour(handler)."""

    def __init__(self, behaviour, keep_body=None):
        """keep_body: a file the request bodies are appended to (on disk, so they take no memory here)."""
        self.behaviour, self.keep_body = behaviour, keep_body
        self.requests: list[dict] = []
        self.sent = 0
        self.stop = threading.Event()
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.owner = self
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self._server.shutdown()
        self._server.server_close()


def results(rows: int = 1) -> bytes:
    """A small valid SPARQL JSON SELECT answer with one variable ?x."""
    bindings = [{"x": {"type": "literal", "value": f"v{i}"}} for i in range(rows)]
    return json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": bindings}}).encode()


def answer(body: bytes, status: str = "200 OK", content_type: str = "application/sparql-results+json"):
    """A behaviour: one complete, well-framed answer."""

    def behave(conn):
        head = f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
        conn.send(head.encode() + b"Connection: close\r\n\r\n" + body)

    return behave


def raw(data: bytes):
    """A behaviour: these bytes and nothing else, whatever they are."""
    return lambda conn: conn.send(data)


def trickle(prefix: bytes, every: float = 0.2, steps: int = 1000):
    """A behaviour: the prefix, then one byte every `every` seconds (at most `steps` bytes)."""

    def behave(conn):
        conn.send(prefix)
        for _ in range(steps):
            time.sleep(every)
            conn.send(b" ")

    return behave


def huge(status: str = "200 OK", total: int = 2 * GIB, announce: bool = False):
    """A behaviour: a SPARQL JSON answer of `total` bytes, generated on the fly in 64 KiB chunked pieces (or
    with its Content-Length announced), stopping when the client hangs up."""
    row = b'{"x":{"type":"literal","value":"' + b"a" * 200 + b'"}},'
    block = row * (65536 // len(row))

    def behave(conn):
        framing = f"Content-Length: {total}" if announce else "Transfer-Encoding: chunked"
        conn.send(
            f"HTTP/1.1 {status}\r\nContent-Type: application/sparql-results+json\r\n{framing}\r\n\r\n".encode()
        )
        piece = b'{"head":{"vars":["x"]},"results":{"bindings":['
        for _ in range(total // len(block) + 1):
            conn.send(piece if announce else b"%x\r\n%s\r\n" % (len(piece), piece))
            piece = block

    return behave


def redirect(location: str, status: str = "302 Found"):
    """A behaviour: a redirect to location."""
    return raw(f"HTTP/1.1 {status}\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n".encode())


def by_path(routes: dict):
    """A behaviour: the behaviour routed by the request's path (query string included)."""

    def behave(conn):
        path = conn.info["line"].split(" ")[1] if " " in conn.info["line"] else ""
        routes[path](conn)

    return behave
