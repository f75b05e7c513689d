"""What a query sent to `exmech serve` may do, decided on exactly the text the engine will run.

Two SPARQL parsers read every query (rdflib for the check, and Oxigraph when it is the store), and they
disagree about codepoint escapes: rdflib expands `\\u0022` before it tokenises, Oxigraph only inside strings
and IRIs. So the guard never lets an escape reach either parser:

1. `decode_escapes` expands every \\uXXXX and \\UXXXXXXXX once (SPARQL 1.1 section 19.2) and refuses text whose
   decoding leaves a \\u or \\U, or gives a surrogate or NUL; both the check and the engine get the decoded text.
2. `refuse_federation` refuses any text holding the letters SERVICE in any case, anywhere (string, comment,
   IRI ...): no tokeniser can make a SERVICE clause without them, so federation is impossible on every store.
3. `check_query` parses with rdflib for clear messages: updates, SERVICE and FROM / FROM NAMED are refused.
   (FROM is not banned as a word: `prov:wasDerivedFrom` and "from" in strings are ordinary. It is refused on
   rdflib's parse, which is the parse the memory store runs; Oxigraph reads FROM as a graph of its own store
   and never fetches it, and workers set rdflib's SPARQL_LOAD_GRAPHS off as well.)

Steps 1-2 are linear in the text and run in the server; step 3 can be slow on hostile text, so it runs in the
time-limited worker, once per text (`Checked` keeps each worker's recent parses). On a store that parses the
text itself (Oxigraph, whose `query` runs no update), a short, shallowly nested text that cannot hold a
FROM clause (`quick`, `may_name_a_dataset`) needs no rdflib parse at all: SERVICE is already refused by the
letters, an update does not parse as a query, and rdflib's parse is still run for the message when the engine
refuses the text.
"""

import hashlib
import re
import unicodedata
from collections import OrderedDict
from collections.abc import Callable
from http import HTTPStatus

from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
LEFT_ESCAPE = re.compile(r"\\[uU]")
SERVICE = re.compile("service", re.IGNORECASE)
FROM = re.compile("(?<![a-z0-9_])from", re.IGNORECASE)  # "from" not at the end of a longer name
QUICK_MAX = 16384  # characters of a text that may skip rdflib's parse, or keep its parse cached
QUICK_OPEN = (
    256  # opening brackets in such a text: Oxigraph's parser overflows its stack on 5,000-deep nesting
)
CACHED_CHARS = 256 * 1024  # characters of text whose parse trees a worker keeps (about 150 bytes a character)
VERDICTS = 4096  # digests of texts that passed the check, kept per worker


class Refused(ValueError):
    def __init__(self, status: HTTPStatus, message: str):
        super().__init__(message)
        self.status = status


def _where(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def decode_escapes(text: str) -> str:
    """The query with every SPARQL codepoint escape expanded once; Refused if any escape is left or bad."""
    bad = None

    def expand(match: re.Match) -> str:
        nonlocal bad
        code = int(match.group(1) or match.group(2), 16)
        if code == 0 or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
            bad = bad or (match.start(), match.group(0))
            return ""
        return chr(code)

    decoded = ESCAPE.sub(expand, text)
    if bad:
        raise Refused(
            HTTPStatus.BAD_REQUEST,
            f"the escape {bad[1]} at {_where(text, bad[0])} is not a character (NUL or a surrogate)",
        )
    if "\x00" in decoded:
        raise Refused(HTTPStatus.BAD_REQUEST, "the query holds a NUL character")
    left = LEFT_ESCAPE.search(decoded)
    if left:
        raise Refused(
            HTTPStatus.BAD_REQUEST,
            f"after its \\u/\\U escapes are expanded the query still holds {left.group(0)} at "
            f"{_where(decoded, left.start())}: an escape that is not 4 or 8 hex digits, or that spells another",
        )
    return decoded


def _found_folded(word: re.Pattern, decoded: str) -> bool:
    """Whether a case-blind pattern matches the text after Unicode compatibility and case folding (which
    changes no ASCII text, so an ASCII text was searched already)."""
    return (
        not decoded.isascii() and word.search(unicodedata.normalize("NFKC", decoded).casefold()) is not None
    )


def refuse_federation(decoded: str) -> None:
    """Refuse the letters SERVICE anywhere, in any case (also after Unicode compatibility folding)."""
    match = SERVICE.search(decoded)
    if match is None and not _found_folded(SERVICE, decoded):
        return
    where = f" at {_where(decoded, match.start())}" if match else ""
    raise Refused(
        HTTPStatus.BAD_REQUEST,
        f"SERVICE is refused: this endpoint does not query other endpoints, so the word SERVICE (any case) "
        f"may not appear anywhere in a query, not even in a string or comment (found{where or ' after folding'})",
    )


def screen(text: str) -> str:
    """Steps 1 and 2: the decoded text that both the check and the engine will read."""
    decoded = decode_escapes(text)
    refuse_federation(decoded)
    return decoded


def _parts(node):
    """Names of every element of an rdflib SPARQL parse tree."""
    if isinstance(node, CompValue):
        yield node.name
        children = list(node.values())
    elif isinstance(node, dict):
        children = list(node.values())
    elif isinstance(node, (list, tuple)) or hasattr(node, "asList"):
        children = list(node)
    else:
        return
    for child in children:
        yield from _parts(child)


def check_query(text: str):
    """Refuse what a read-only public endpoint must not run (Refused with a clear message); return rdflib's
    parse tree of the decoded text."""
    return parse_checked(screen(text))


def parse_checked(decoded: str):
    """Step 3 on text that `screen` returned: rdflib's parse tree, which the memory store then runs itself."""
    try:
        tree = parseQuery(decoded)
    except Exception as exc:
        try:
            parseUpdate(decoded)
        except Exception:
            raise Refused(HTTPStatus.BAD_REQUEST, f"the query does not parse: {exc}") from exc
        raise Refused(
            HTTPStatus.BAD_REQUEST,
            "updates (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP ...) are refused: this endpoint is read-only",
        ) from None
    names = set(_parts(tree))
    if "ServiceGraphPattern" in names:
        raise Refused(
            HTTPStatus.BAD_REQUEST, "SERVICE is refused: this endpoint does not query other endpoints"
        )
    if "DatasetClause" in names:
        raise Refused(
            HTTPStatus.BAD_REQUEST,
            "FROM and FROM NAMED are refused: this endpoint serves one graph and never fetches other data",
        )
    return tree


def may_name_a_dataset(decoded: str) -> bool:
    """False only if the text cannot hold a FROM or FROM NAMED clause: every "from" in it (any case, also after
    Unicode compatibility folding) ends a longer name, such as prov:wasDerivedFrom. Both parsers read a name
    to its end, so no keyword FROM starts right after a letter, digit or underscore."""
    return FROM.search(decoded) is not None or _found_folded(FROM, decoded)


def quick(decoded: str) -> bool:
    """Whether a store that parses the text itself may run it with no rdflib parse first: a short text that
    cannot hold FROM and cannot nest deeper than QUICK_OPEN brackets (deeper, rdflib refuses it as before)."""
    if len(decoded) > QUICK_MAX or sum(decoded.count(c) for c in "({[") > QUICK_OPEN:
        return False
    return not may_name_a_dataset(decoded)


class Checked:
    """The guard's parse done once per text in a worker: for short texts the checked parse itself (made into
    what the engine runs by `make`), in a least-recently-used map bounded by the characters of its texts; for
    a store that parses the text itself, only the digests of texts that passed. Refused texts are not
    remembered."""

    def __init__(self, make: Callable = lambda tree: tree):
        self._make = make
        self._trees: OrderedDict[str, object] = OrderedDict()
        self._chars = 0
        self._passed: OrderedDict[bytes, None] = OrderedDict()

    def parse(self, decoded: str):
        """`make(parse_checked(decoded))`, from the cache when this text was parsed before."""
        if decoded in self._trees:
            self._trees.move_to_end(decoded)
            return self._trees[decoded]
        made = self._make(parse_checked(decoded))
        if len(decoded) <= QUICK_MAX:
            self._trees[decoded] = made
            self._chars += len(decoded)
            while self._chars > CACHED_CHARS:
                self._chars -= len(self._trees.popitem(last=False)[0])
        return made

    def check(self, decoded: str) -> None:
        """Refused unless the text passes parse_checked; a text that passed once is not parsed again."""
        key = hashlib.sha256(decoded.encode("utf-8", "surrogatepass")).digest()
        if key in self._passed:
            self._passed.move_to_end(key)
            return
        parse_checked(decoded)
        self._passed[key] = None
        while len(self._passed) > VERDICTS:
            self._passed.popitem(last=False)
