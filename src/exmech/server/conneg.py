"""HTTP content negotiation (RFC 9110 section 12.5.1) with werkzeug's Accept parser: q-values, type/* and */*
wildcards, the most specific range deciding, q=0 meaning "not this"."""

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header


class NotAcceptable(ValueError):
    """Nothing the server can send is acceptable to the client (HTTP 406)."""


def choose(accept: str, offers: list[str]) -> str:
    """The offered media type the client prefers (offers in the server's order of preference; the first
    wins ties and an empty Accept); NotAcceptable if the client accepts none of them."""
    if not (accept or "").strip():
        return offers[0]
    best = parse_accept_header(accept, MIMEAccept).best_match(offers)
    if best is None:
        raise NotAcceptable(
            f"none of {', '.join(offers)} is acceptable to the client (Accept: {accept[:200]})"
        )
    return best


def negotiate(accept: str, table: dict[str, str], default: str) -> tuple[str, str]:
    """(media type, format name) from a table of media types; the default comes first in preference."""
    media = choose(accept, [default, *(m for m in table if m != default)])
    return media, table[media]
