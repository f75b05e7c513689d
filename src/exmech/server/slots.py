"""How many query workers run at once, and how short queries get through while long ones run.

`workers` processes may run at once. Every query starts in a slot at normal CPU priority; a query that has
used `SHORT` seconds of CPU, or has run `LONG_WALL` seconds (more than SHORT: a query slowed only by others'
load is not long too soon), becomes *long*: it is re-niced (to nice 5, a third of the CPU weight, so fresh queries get the
CPU first) and must hold one of the `long_workers` long slots (half the workers by default). When all long
slots are taken, that query is stopped with 503 and Retry-After. The worker remembers (by digest) the last
4096 texts that became long; sent again, such a text needs a long slot at once. So at least `workers - long_workers` slots
only ever hold queries that have used less than `SHORT` s of CPU for less than `LONG_WALL` s, and a simple query never waits for a slow
one to finish. Requests
wait for a slot in a bounded FIFO queue; when `queue` requests already wait, the next gets 503 at once. The
wait counts against the request's deadline.
"""

import threading
import time
from collections import deque

SHORT = 0.5  # CPU seconds a query may use at normal priority before it needs a long slot
LONG_WALL = 2.0  # seconds it may run at all before it needs one


class Busy(Exception):
    """No slot now: the caller answers 503 with Retry-After."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class Slots:
    def __init__(self, workers: int, long_workers: int | None = None, queue: int = 64):
        if workers < 2:
            raise ValueError("at least 2 workers are needed (one kept for short queries)")
        self.workers, self.queue = workers, queue
        self.long_workers = min(workers - 1, long_workers if long_workers is not None else workers // 2)
        self._lock = threading.Lock()
        self._running = self._long = 0
        self._waiting: deque[threading.Event] = deque()  # FIFO: each waiting request's own turn
        self._long_ends: list[float] = []  # deadlines of the running long queries

    def acquire(self, deadline: float) -> bool:
        """Wait (FIFO) for a slot until the deadline; False at the deadline; Busy if the queue is full. A
        finishing query hands its slot straight to the first waiting request (only that one is woken)."""
        with self._lock:
            if self._running < self.workers and not self._waiting:
                self._running += 1
                return True
            if len(self._waiting) >= self.queue:
                raise Busy(f"the server is busy: {self.queue} queries already wait", 1)
            turn = threading.Event()
            self._waiting.append(turn)
        turn.wait(max(0.0, deadline - time.monotonic()))
        with self._lock:
            if turn.is_set():  # handed a slot, perhaps just as the deadline passed: it is this request's
                return True
            self._waiting.remove(turn)
            return False

    def promote(self, deadline: float) -> None:
        """Make a running query long (it keeps its slot); Busy if every long slot is taken."""
        with self._lock:
            if self._long >= self.long_workers:
                retry = max(1, round(min(self._long_ends) - time.monotonic()))
                raise Busy(
                    f"the server is already running {self._long} long queries; this one used more than "
                    f"{SHORT:g} s of CPU or ran {LONG_WALL:g} s and was stopped: retry in {retry} s or narrow it",
                    retry,
                )
            self._long += 1
            self._long_ends.append(deadline)

    def release(self, long_deadline: float | None = None) -> None:
        with self._lock:
            if long_deadline is not None:
                self._long -= 1
                self._long_ends.remove(long_deadline)
            if self._waiting:  # the slot passes to the first waiting request: _running stays
                self._waiting.popleft().set()
            else:
                self._running -= 1
