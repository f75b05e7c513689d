"""The HTTP side of `exmech serve`: requests read within bounds, every response with the security headers.

Bounds: a listen backlog of 128; at most MAX_CONNECTIONS connections served at once (more get 503 at once); a
socket timeout (SOCKET_TIMEOUT) on every read and write and a watchdog that closes a connection whose request is
not read in full within `READ_DEADLINE` seconds (idle keep-alive, slow readers and slow-loris are cut);
a request body of at most MAX_BODY bytes, with a Content-Length that must be one plain number; a Host header
that names this server (127.0.0.1:PORT, localhost:PORT, --host and --public-name values), else 421.
"""

import contextlib
import re
import socket
import sys
import threading
import time
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from exmech.server.conneg import NotAcceptable
from exmech.server.endpoint import Endpoint
from exmech.server.limits import DRAIN_MAX, MAX_BODY, MAX_CONNECTIONS, READ_DEADLINE, SOCKET_TIMEOUT
from exmech.server.pages import CSP, YASGUI, query_page, static_file, wants_html
from exmech.server.publish import context_document, ontology_document, service_description, void_document
from exmech.server.relay import send_body
from exmech.server.terms import TERM_SPACES, describe
from exmech.server.worker import Reply, text

LENGTH = re.compile(r"[0-9]{1,15}")
ALLOW = "GET, HEAD, POST, OPTIONS"
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Access-Control-Allow-Origin": "*",
}


class Server(ThreadingHTTPServer):
    request_queue_size = 128  # the listen backlog
    daemon_threads = True

    def __init__(
        self,
        address,
        endpoint: Endpoint,
        public_names=(),
        read_deadline: float = READ_DEADLINE,
        socket_timeout: float = SOCKET_TIMEOUT,
    ):
        super().__init__(address, Handler)
        self.endpoint, self.read_deadline, self.socket_timeout = endpoint, read_deadline, socket_timeout
        port = self.server_address[1]
        hosts = {"127.0.0.1", "localhost", address[0]}
        self.allowed_hosts = {(f"[{h}]" if ":" in h else h).lower() + f":{port}" for h in hosts}
        for name in public_names:  # as given (a proxy's host, maybe with its port), and with this port
            self.allowed_hosts |= {name.lower(), f"{name.lower()}:{port}"}
        self._free = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self._reading: dict[socket.socket, float] = {}
        self._lock = threading.Lock()
        threading.Thread(target=self._watch, daemon=True).start()

    def process_request(self, request, client_address):
        if not self._free.acquire(blocking=False):
            with contextlib.suppress(OSError):
                request.settimeout(1)
                request.sendall(
                    b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\n"
                    b"Connection: close\r\nServer: exmech\r\n\r\n"
                )
            return self.shutdown_request(request)
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.reading(request, False)
            self._free.release()

    def server_close(self):
        super().server_close()
        self.endpoint.close()  # its workers too

    def handle_error(self, request, client_address):
        """A client that hangs up before its answer is sent is not an error of the server: no traceback."""
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)

    def reading(self, sock, started: bool) -> None:
        with self._lock:
            if started:
                self._reading[sock] = time.monotonic()
            else:
                self._reading.pop(sock, None)

    def _watch(self) -> None:
        """Cut connections that take longer than read_deadline seconds to send one request."""
        while True:
            time.sleep(1)
            now = time.monotonic()
            with self._lock:
                late = [s for s, since in self._reading.items() if now - since > self.read_deadline]
            for sock in late:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                self.reading(sock, False)


def _length(headers) -> int | Reply:
    values = headers.get_all("Content-Length") or []
    if headers.get("Transfer-Encoding"):
        return text(411, "Transfer-Encoding is not accepted: send the body with a Content-Length")
    if not values:
        return text(411, "a POST needs a Content-Length")
    if len(set(values)) > 1 or not LENGTH.fullmatch(values[0].strip()):
        shown = ", ".join(v[:40] for v in values)
        return text(400, f"Content-Length must be one non-negative whole number of bytes, not {shown!r}")
    return int(values[0])


class Handler(BaseHTTPRequestHandler):
    """One connection's requests; its configuration (endpoint, timeouts, allowed hosts) is the server's."""

    server: Server
    server_version, sys_version = "exmech", ""
    protocol_version = "HTTP/1.1"
    head = False

    def setup(self):
        self.timeout = self.server.socket_timeout  # every read and write on the socket
        super().setup()
        # the head and the body are two writes: without this, Nagle's algorithm holds the body back until
        # the client's delayed ACK of the head (40 ms on Linux) on every keep-alive request
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args):  # quiet by default
        pass

    def version_string(self) -> str:
        return "exmech"

    def handle_one_request(self):
        self.server.reading(self.connection, True)
        self.head = False
        super().handle_one_request()

    def end_headers(self):
        for name, value in HEADERS.items():
            self.send_header(name, value)
        super().end_headers()

    def send_error(self, code, message=None, explain=None):  # http.server's own errors, as plain text
        self.close_connection = True
        self._send(text(code, message or HTTPStatus(code).phrase))

    def _send(self, reply: Reply) -> None:
        self.server.reading(self.connection, False)
        self.send_response(int(reply.status))
        self.send_header("Content-Type", reply.media)
        self.send_header("Content-Length", str(reply.size))
        self.send_header("Vary", "Accept")
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection |= not send_body(  # an answer cut off midway: close, the client saw fewer bytes
            self.wfile, self.connection, self.server.socket_timeout, reply.body, reply.rest, not self.head
        )

    def _host_refusal(self) -> Reply | None:
        hosts = self.headers.get_all("Host") or []
        if len(hosts) != 1:
            return text(400, "send exactly one Host header")
        if hosts[0].strip().lower() not in self.server.allowed_hosts:
            names = ", ".join(sorted(self.server.allowed_hosts))
            return text(421, f"this server does not answer for Host {hosts[0][:100]!r}; it serves {names}")
        return None

    def _dispatch(self, answer, read: bool = True) -> None:
        start = time.monotonic()
        if read:  # the request is all read (a POST's body is read by _post): the slow-loris cut stops here
            self.server.reading(self.connection, False)
        try:
            reply = self._host_refusal() or answer(start)
        except NotAcceptable as exc:
            reply = text(406, str(exc))
        except Exception as exc:  # a fault of this server: an answer saying so, not a dropped connection
            self.close_connection = True
            reply = text(500, f"the server failed on this request ({type(exc).__name__}); please report it")
        self._send(reply)

    def _origin(self) -> str:
        """This server's address as the client named it (a Host the server accepts, checked before)."""
        return "http://" + self.headers.get("Host", "").strip()

    def _query(self, params: dict[str, list[str]], accept: str, start: float) -> Reply:
        if "update" in params:
            return text(400, "updates are refused: this endpoint is read-only")
        if "default-graph-uri" in params or "named-graph-uri" in params:
            return text(
                400, "default-graph-uri and named-graph-uri are refused: this endpoint serves one graph"
            )
        queries = params.get("query", [])
        if len(queries) != 1 or not queries[0].strip():
            return text(400, "give exactly one query parameter")
        return self.server.endpoint.run(queries[0], accept, start, stream=True)

    def _sparql_get(self, query: str, accept: str, start: float) -> Reply:
        params = urllib.parse.parse_qs(query, keep_blank_values=True)
        if params:
            return self._query(params, accept, start)
        if wants_html(accept):
            return query_page(template=YASGUI)
        return service_description(self.server.endpoint, self._origin(), accept, start)

    def _get(self, start: float) -> Reply:
        url = urllib.parse.urlsplit(self.path)
        accept, endpoint = self.headers.get("Accept", ""), self.server.endpoint
        if url.path in ("/", "/index.html"):
            return query_page(accept, YASGUI)
        if url.path == "/simple":
            return query_page(accept)
        if url.path == "/sparql":
            return self._sparql_get(url.query, accept, start)
        if url.path == "/.well-known/void":
            return void_document(endpoint, self._origin(), accept, start)
        if url.path == "/ontology":
            return ontology_document(endpoint, accept, start)
        if url.path == "/context.jsonld":
            return context_document(accept)
        if url.path.startswith("/static/"):
            return static_file(url.path[len("/static/") :])
        local = urllib.parse.unquote(url.path).lstrip("/")
        if local.startswith(TERM_SPACES):
            return describe(endpoint, local, accept, start)
        return text(404, f"nothing at {url.path}")

    def _read_body(self) -> str | Reply:
        length = _length(self.headers)
        if isinstance(length, Reply) or length > MAX_BODY:
            self.close_connection = True
            if isinstance(length, Reply):
                return length
            if length <= DRAIN_MAX:  # read it away, so the client sees the answer, not a reset
                for offset in range(0, length, 65536):
                    self.rfile.read(min(65536, length - offset))
            return text(413, f"request body larger than {MAX_BODY} bytes")
        try:
            return self.rfile.read(length).decode("utf-8")
        except UnicodeDecodeError as exc:
            return text(400, f"the request body is not UTF-8 (byte {exc.start})")

    def _post(self, start: float) -> Reply:
        url = urllib.parse.urlsplit(self.path)
        body = self._read_body()
        if isinstance(body, Reply):
            return body
        if url.path != "/sparql":
            return text(404, f"nothing at {url.path}")
        start = time.monotonic()  # the deadline starts once the request is read
        self.server.reading(self.connection, False)
        kind = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        accept = self.headers.get("Accept", "")
        if kind == "application/sparql-update":
            return text(400, "updates are refused: this endpoint is read-only")
        if kind == "application/sparql-query":
            return self._query(urllib.parse.parse_qs(url.query) | {"query": [body]}, accept, start)
        if kind == "application/x-www-form-urlencoded":
            if wants_html(accept):
                accept = "text/csv"  # the query page without JavaScript: a readable table
            return self._query(urllib.parse.parse_qs(body), accept, start)
        return text(415, "send application/sparql-query or a form with a query field")

    def do_GET(self):
        self._dispatch(self._get)

    def do_HEAD(self):
        self.head = True
        self._dispatch(self._get)

    def do_POST(self):
        self._dispatch(self._post, read=False)

    def do_OPTIONS(self):  # CORS preflight and capability discovery
        headers = {
            "Allow": ALLOW,
            "Access-Control-Allow-Methods": ALLOW,
            "Access-Control-Allow-Headers": "Content-Type, Accept",
            "Access-Control-Max-Age": "600",
        }
        self._dispatch(lambda start: Reply(204, "text/plain; charset=utf-8", b"", headers))

    def _not_allowed(self):
        self._dispatch(lambda start: text(405, f"{self.command} is not allowed here", Allow=ALLOW))

    do_PUT = do_DELETE = do_PATCH = _not_allowed
