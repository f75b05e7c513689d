"""The endpoint's limits and their defaults, written once: `exmech serve`'s options, make_server and the
worker read them from here. Standard library only, so the CLI can show the defaults without loading the server
(whose worker needs POSIX `resource`)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """What one query may use: the one place the endpoint's defaults are written (serve options, make_server)."""

    time_limit: float = 10.0  # seconds from the request read to the answer sent (408 past it)
    max_rows: int = 10000  # rows or triples in a result (413 past it)
    max_bytes: int = 16 * 2**20  # bytes of a serialised result (413 past it)
    max_memory: int = 1024 * 2**20  # bytes a worker may allocate beyond the shared graph (507 past it)
    workers: int = 8  # query workers at once; half kept for short queries
    queue: int = 64  # requests that may wait for a worker (503 past it)
