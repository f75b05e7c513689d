"""HTTP for exmech's clients (`query`/`paths --endpoint`, `push`), bounded so that no server can hold them.

- Wall time: one deadline for the whole exchange (connect, upload, headers, body, redirects), not just a socket
  timeout: a watchdog shuts the socket at the deadline, so a server trickling a byte every few seconds is cut off.
- Bytes: answers are read in chunks and refused past a cap (256 MiB by default); error bodies past 2 KiB are
  not read at all. Uploads are sent from a file in chunks with a Content-Length.
- Redirects: followed (at most 3) only to the same scheme, host and port; any other is refused.
- Credentials (exmech.stores.auth): given ones answer a 401 challenge once, as Basic or Digest; ones written in a
  URL (http://user:password@host/) are taken out of it and sent as Basic at once. None appears in a message.
Every failure is a RemoteError whose message names the server (without credentials) and says what went wrong.
"""

import http.client
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import BinaryIO, NamedTuple, cast
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

from exmech.errors import ServerError
from exmech.stores.auth import Credentials, answer_challenge, split_credentials

DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
ERROR_BODY_CAP = 2048
MAX_REDIRECTS = 3
CHUNK = 64 * 1024
REDIRECTS = (301, 302, 303, 307, 308)
UNSAFE_URL = re.compile(r"[\x00-\x20\x7f]")


class RemoteError(ServerError):
    """A server that could not be reached, refused, or answered badly (the CLI's exit code 3); status is the HTTP
    status it answered with (None when there was none) and empty whether that error answer had no body."""

    status: int | None = None
    empty: bool = False


@dataclass(frozen=True)
class Limits:
    timeout: float = DEFAULT_TIMEOUT  # seconds for the whole exchange
    max_bytes: int = DEFAULT_MAX_BYTES  # largest answer body read


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str  # media type only, lower case, no parameters
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)  # names in lower case (a cut answer's marks)


class Reply(NamedTuple):
    """One exchange: a 2xx answer, or a redirect's Location, or a 401's WWW-Authenticate challenge."""

    answer: Answer | None = None
    location: str | None = None
    challenge: str | None = None


def redact(url: str) -> str:
    """The URL without any user:password@ part, for messages. A password holding a character that should have been
    percent-encoded ('/', '?', '#') ends the URL's host part early; all before the URL's last '@' is then hidden."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(an unreadable URL)"
    if "@" in url and "@" not in parts.netloc:
        return f"{parts.scheme}://(credentials hidden)@{url.rpartition('@')[2]}"
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def check_url(url: str) -> SplitResult:
    """The parts of an http(s) URL, or ValueError saying what is wrong with it (an input error, not a server's)."""
    shown = redact(url)
    if UNSAFE_URL.search(url):
        raise ValueError(f"{shown!r} contains spaces or control characters")
    parts = urlsplit(url)
    if "@" in url.partition("?")[0] and "@" not in parts.netloc:
        raise ValueError(
            f"{shown!r} seems to hold credentials that cannot be read (a '/', '?' or '#' in them ends the host "
            "part): percent-encode them, or give --user NAME with the password in EXMECH_PASSWORD"
        )
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"{shown!r} is not an http(s) URL")
    try:
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number in range
    except ValueError:
        raise ValueError(f"{shown!r} has an invalid port") from None
    if not parts.hostname:
        raise ValueError(f"{shown!r} has no host name")
    return parts


def _origin(parts: SplitResult) -> tuple:
    return parts.scheme, parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)


def request(
    method: str,
    url: str,
    body: bytes | BinaryIO | None = None,
    headers: dict[str, str] | None = None,
    limits: Limits = Limits(),
    length: int | None = None,
    auth: Credentials | None = None,
) -> Answer:
    """Send one request (following same-origin redirects, answering one 401 challenge when credentials are given)
    and return a 2xx answer read up to limits.max_bytes. A file body is sent from its current position, again
    after each redirect; length is its size in bytes."""
    deadline = time.monotonic() + limits.timeout
    url, in_url = split_credentials(url)
    auth = auth or in_url
    headers = dict(headers or {})
    if auth is not None and auth.eager:
        headers["Authorization"] = auth.basic()
    stream = None if body is None or isinstance(body, bytes) else body
    start = stream.tell() if stream is not None else None
    challenged, hops = False, 0
    while hops <= MAX_REDIRECTS:
        if stream is not None and start is not None:
            stream.seek(start)
        can_answer = auth is not None and not challenged
        reply = _exchange(method, url, body, headers, limits, deadline, length, can_answer)
        if reply.answer is not None:
            return reply.answer
        if reply.challenge is not None and auth is not None:
            headers["Authorization"] = _authorization(reply.challenge, auth, method, url)
            challenged = True
            continue
        url, hops = _follow(url, reply.location), hops + 1
    raise RemoteError(f"{redact(url)}: more than {MAX_REDIRECTS} redirects")


def _authorization(challenge: str, auth: Credentials, method: str, url: str) -> str:
    value = answer_challenge(challenge, auth, method, url)
    if value is None:
        scheme = challenge.strip().partition(" ")[0][:40]
        raise RemoteError(
            f"{redact(url)} asks for authentication by {_printable(scheme)!r}, which exmech does not speak "
            "(it speaks HTTP Basic and Digest with MD5 or SHA)"
        )
    return value


def _follow(url: str, location: str | None) -> str:
    """The same-origin target of a redirect, or a RemoteError."""
    if location is None:
        raise RemoteError(f"{redact(url)} gave no answer")
    target = urljoin(url, location)
    try:
        same = _origin(check_url(target)) == _origin(urlsplit(url))
    except ValueError:
        same = False
    if not same:
        raise RemoteError(
            f"{redact(url)} redirected to {redact(target)}, another server; exmech follows redirects only "
            "to the same scheme, host and port"
        )
    return target


def _exchange(method, url, body, headers, limits, deadline, length, can_answer) -> Reply:
    parts = check_url(url)
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise RemoteError(f"{redact(url)} gave no complete answer within {limits.timeout:g} s (--timeout)")
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = kind(parts.hostname or "", parts.port, timeout=remaining, blocksize=CHUNK)
    headers = dict(headers)
    if length is not None:
        headers["Content-Length"] = str(length)
    fired, sockets = threading.Event(), cast(list[socket.socket], [])
    watchdog = threading.Timer(remaining, _cut, args=(sockets, fired))
    watchdog.daemon = True
    watchdog.start()
    late = RemoteError(f"{redact(url)} gave no complete answer within {limits.timeout:g} s (--timeout)")
    try:
        conn.connect()  # bounded by its own timeout; the watchdog then holds the socket, which the response
        sockets.append(conn.sock)  # keeps using even after the connection lets go of it (Connection: close)
        if fired.is_set():
            raise late
        response = _send(
            conn, method, urlunsplit(("", "", parts.path or "/", parts.query, "")), body, headers
        )
        reply = _answer(response, url, limits, can_answer, "Authorization" in headers)
    except RemoteError:
        if fired.is_set():
            raise late from None
        raise
    except (OSError, http.client.HTTPException) as exc:
        raise (late if fired.is_set() else RemoteError(f"{redact(url)} {_explain(exc)}")) from None
    finally:
        watchdog.cancel()
        conn.close()
    if fired.is_set():  # a body read until the connection closed ends quietly when the watchdog shuts it
        raise late
    return reply


def _cut(sockets: list, fired: threading.Event) -> None:
    """The deadline: shut the socket so that any blocked read or write returns at once."""
    fired.set()
    for sock in sockets:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _send(conn, method, path, body, headers) -> http.client.HTTPResponse:
    try:
        conn.request(method, path, body=body, headers=headers)
    except (BrokenPipeError, ConnectionResetError):
        if conn.sock is None:
            raise
        # the server may have answered (e.g. 413 or 500) and closed before taking the whole upload
    return conn.getresponse()


def _answer(response, url: str, limits: Limits, can_answer: bool, sent_auth: bool) -> Reply:
    status = response.status
    if status in REDIRECTS and response.getheader("Location"):
        return Reply(location=response.getheader("Location"))
    challenge = response.getheader("WWW-Authenticate")
    if status == 401 and challenge and can_answer:
        response.read(ERROR_BODY_CAP)
        return Reply(challenge=challenge)
    if not 200 <= status < 300:
        raise _refusal(response, url, sent_auth)
    encoding = (response.getheader("Content-Encoding") or "identity").strip().lower()
    if encoding != "identity":
        raise RemoteError(
            f"{redact(url)} answered with Content-Encoding {encoding!r}, which was not asked for"
        )
    announced = response.getheader("Content-Length")
    if announced and announced.strip().isdigit() and int(announced) > limits.max_bytes:
        raise RemoteError(f"{redact(url)} announced {int(announced)} bytes, {_over(limits)}")
    data = bytearray()
    while chunk := response.read(min(CHUNK, limits.max_bytes + 1 - len(data))):
        data += chunk
        if len(data) > limits.max_bytes:
            raise RemoteError(f"{redact(url)} sent an answer {_over(limits)}")
    if response.length:  # http.client's read(amt) ends quietly when fewer bytes come than announced
        raise RemoteError(
            f"{redact(url)} {_explain(http.client.IncompleteRead(bytes(data), response.length))}"
        )
    content_type = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
    return Reply(
        answer=Answer(status, content_type, bytes(data), {k.lower(): v for k, v in response.getheaders()})
    )


def _refusal(response, url: str, sent_auth: bool) -> RemoteError:
    """The RemoteError for an error answer, its body read only a little; a 401 says how to authenticate."""
    status = response.status
    detail = _printable(response.read(ERROR_BODY_CAP).decode("utf-8", "replace"))
    reason = f" {response.reason}" if response.reason else ""
    hint = ""
    if status == 401:
        hint = (
            " (the credentials given were refused)"
            if sent_auth
            else " (it wants credentials: --user NAME with the password in EXMECH_PASSWORD, or ~/.netrc)"
        )
    error = RemoteError(
        f"{redact(url)} answered HTTP {status}{reason}{hint}" + (f": {detail}" if detail else "")
    )
    error.status, error.empty = status, not detail
    return error


def _over(limits: Limits) -> str:
    return f"more than the {limits.max_bytes}-byte cap (--max-bytes); stopped reading"


def _printable(text: str, width: int = 300) -> str:
    """An error body shortened to one line of printable text."""
    text = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return text if len(text) <= width else text[:width] + "..."


def _explain(exc: Exception) -> str:
    """A failure in words."""
    if isinstance(exc, ConnectionRefusedError):
        return "refused the connection (is the server running on that port?)"
    if isinstance(exc, socket.gaierror):
        return "could not be reached: its host name is not known"
    if isinstance(exc, TimeoutError):
        return "did not answer in time"
    if isinstance(exc, http.client.IncompleteRead):
        return f"cut its answer short ({len(exc.partial)} bytes received, {exc.expected or 'more'} missing)"
    if isinstance(exc, (http.client.BadStatusLine, http.client.RemoteDisconnected)):
        return "did not answer in HTTP (the connection closed or the status line was not HTTP)"
    if isinstance(exc, http.client.HTTPException):
        return f"sent a malformed HTTP answer ({type(exc).__name__})"
    return f"could not be reached: {getattr(exc, 'strerror', None) or exc}"
