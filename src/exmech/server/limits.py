"""The endpoint's limits and their defaults, written once: `exmech serve`'s options, make_server and the
worker read them from here. Standard library only, so the CLI can show the defaults without loading the server
(whose worker needs POSIX `resource`)."""

from dataclasses import dataclass

# The HTTP side's bounds (exmech.server.protocol): request body, connections, socket and read deadlines.
MAX_BODY = 1_000_000  # bytes of a request body (413 past it)
DRAIN_MAX = 16 * MAX_BODY  # a too-large body up to this size is read away, so the client sees the 413
SOCKET_TIMEOUT = 10.0  # seconds any one read or write of a socket may take
READ_DEADLINE = 20.0  # seconds to read a whole request (slow-loris cut)
MAX_CONNECTIONS = 256  # connections served at once (503 past it)


@dataclass(frozen=True)
class Limits:
    """What one query may use: the one place the endpoint's defaults are written (serve options, make_server)."""

    time_limit: float = 10.0  # seconds from the request read to the answer sent (408 past it)
    max_rows: int = 10000  # rows or triples in a result (413 past it)
    max_bytes: int = 16 * 2**20  # bytes of a serialised result (413 past it)
    max_memory: int = 1024 * 2**20  # bytes a worker may allocate beyond the shared graph (507 past it)
    workers: int = 8  # query workers at once; half kept for short queries
    queue: int = 64  # requests that may wait for a worker (503 past it)
