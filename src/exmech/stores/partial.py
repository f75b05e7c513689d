"""Answers a server cut short but sent as a success (HTTP 200): refused, never shown as if whole.

Virtuoso marks them with headers. With its ResultSetMaxRows ([SPARQL] in virtuoso.ini) it stops a result at that
many rows and says so in `X-SPARQL-MaxRows: N` (7.2 sends it whenever the result reached N, so a result of exactly
N rows is refused too: the server cannot tell it from a cut one). 7.2 cuts a CONSTRUCT there too but marks it with
nothing (CONSTRUCT ... LIMIT 50 under ResultSetMaxRows 10 gives 11 triples, no header): that stays undetectable.
Virtuoso's documented mark for an "anytime" query that ran out of time and sent what it had found by then is
`X-SQL-State: S1TAT` (explained in `X-SQL-Message`); this fixture's 7.2 answered every over-time query tried with
HTTP 500 "S1T00 Transaction timed out" instead (an error already), so that check is untested against the server.
Either mark is a RemoteError (exit code 3) naming the server setting that cut the answer."""

import re

from exmech.stores.http_client import Answer, RemoteError, redact

ANYTIME_STATE = "S1TAT"


def _printable(text: str, width: int = 200) -> str:
    return re.sub(r"[\x00-\x1f\x7f]+", " ", text).strip()[:width]


def check_whole(answer: Answer, url: str) -> None:
    """Raise a RemoteError when answer carries a mark of a cut (partial) result."""
    where = f"endpoint {redact(url)}"
    max_rows = answer.headers.get("x-sparql-maxrows")
    if max_rows is not None:
        limit = _printable(max_rows, 20)
        raise RemoteError(
            f"{where} cut its answer at {limit} rows (HTTP {answer.status} with X-SPARQL-MaxRows: {limit}): the "
            f"answer is not shown, as it may be partial. Its ResultSetMaxRows setting ([SPARQL] in virtuoso.ini) "
            f"allows at most {limit} rows in a result: raise it, or ask for fewer rows (a LIMIT, or a "
            f"narrower query)"
        )
    state = answer.headers.get("x-sql-state", "").strip().upper()
    if state == ANYTIME_STATE:
        message = _printable(answer.headers.get("x-sql-message", ""))
        said = f" ({message})" if message else ""
        raise RemoteError(
            f"{where} ran out of time and sent only the rows it had found (HTTP {answer.status} with "
            f"X-SQL-State: {ANYTIME_STATE}{said}): the answer is not shown, as it is partial. Its "
            f"MaxQueryExecutionTime setting ([SPARQL] in virtuoso.ini) limits the time of a query: raise it, or "
            f"ask for less"
        )
