"""HTTP content negotiation (RFC 9110 section 12.5.1): q-values, type/* and */* wildcards, q=0 means "not this".

A small parser rather than a dependency: the endpoint needs only Accept, and the rules fit in one screen.
"""

import re

QVALUE = re.compile(r"(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)")
TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


class NotAcceptable(ValueError):
    """Nothing the server can send is acceptable to the client (HTTP 406)."""


def parse_accept(header: str) -> list[tuple[str, str, float, int]]:
    """(type, subtype, q, position) of every well-formed media range; malformed ranges are skipped."""
    ranges = []
    for position, part in enumerate((header or "").split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        kind, _, sub = media.lower().partition("/")
        if not (TOKEN.fullmatch(kind) and TOKEN.fullmatch(sub)) or (kind == "*" and sub != "*"):
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                value = value.strip()
                q = float(value) if QVALUE.fullmatch(value) else -1.0
        if q >= 0:
            ranges.append((kind, sub, q, position))
    return ranges


def _quality(media: str, ranges) -> tuple[float, int, int]:
    """(q, specificity, -position) of the most specific range that matches media; q=-1 if none does."""
    kind, _, sub = media.partition("/")
    best = (-1.0, -1, 0)
    for rkind, rsub, q, position in ranges:
        if (rkind, rsub) == (kind, sub):
            specificity = 2
        elif (rkind, rsub) == (kind, "*"):
            specificity = 1
        elif (rkind, rsub) == ("*", "*"):
            specificity = 0
        else:
            continue
        if specificity > best[1]:
            best = (q, specificity, -position)
    return best


def choose(accept: str, offers: list[str]) -> str:
    """The offered media type the client prefers (offers in the server's order of preference; the first
    wins ties and an empty Accept); NotAcceptable if the client accepts none of them."""
    ranges = parse_accept(accept)
    if not (accept or "").strip():
        return offers[0]
    scored = [(_quality(media, ranges), -index, media) for index, media in enumerate(offers)]
    scored = [s for s in scored if s[0][0] > 0]
    if not scored:
        raise NotAcceptable(
            f"none of {', '.join(offers)} is acceptable to the client (Accept: {accept[:200]})"
        )
    # the highest q; then the most specific range (text/csv over */*), listed earliest; then the server's order
    return max(scored, key=lambda s: (*s[0], s[1]))[2]


def negotiate(accept: str, table: dict[str, str], default: str) -> tuple[str, str]:
    """(media type, format name) from a table of media types; the default comes first in preference."""
    media = choose(accept, [default, *(m for m in table if m != default)])
    return media, table[media]
