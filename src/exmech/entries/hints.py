"""Nearest valid names for a controlled field (mechanisms, instruments, outcome domains, classes, properties).

A name is matched against each term's local name, labels, alternative labels and notations, and the acronym of its
label (Oswestry Disability Index -> ODI), after folding case, punctuation and British/American spellings
(catastrophising/catastrophizing, behaviour/behavior). An exact folded match wins; then terms whose label holds
every word of the name ("function" -> disability, labelled "disability and function"); then close spellings.
"""

import difflib
import re
from collections.abc import Iterable

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS, SKOS

# British -> American spellings, applied to both sides so either spelling matches the other
_ENDINGS = (
    ("isation", "ization"),
    ("ising", "izing"),
    ("ised", "ized"),
    ("ise", "ize"),
    ("tre", "ter"),
    ("ogue", "og"),
)
_INSIDE = (("our", "or"), ("aemia", "emia"), ("oedema", "edema"))
_WORD = re.compile(r"[^\W_]+")
_STOP = {"and", "or", "of", "for", "the", "a", "an", "in", "on", "to", "with"}

Candidate = tuple[str, list[str]]  # (local name to suggest, texts it is known by)


def _fold_word(word: str) -> str:
    word = word.casefold()
    for british, american in _INSIDE:
        word = word.replace(british, american)
    for british, american in _ENDINGS:
        if word.endswith(british):
            return word[: -len(british)] + american
    return word


def words(text: str) -> list[str]:
    """The folded words of a text: 'Pain-Catastrophising' -> ['pain', 'catastrophizing']."""
    return [_fold_word(w) for w in _WORD.findall(re.sub(r"([a-z])([A-Z])", r"\1 \2", text))]


def fold(text: str) -> str:
    """A name with case, punctuation, word breaks and British/American spellings folded away."""
    return "".join(words(text))


def acronym(label: str) -> str:
    """The initials of a label's capitalised words: 'Numeric Rating Scale for pain' -> 'nrs'."""
    capitals = [w for w in _WORD.findall(label) if w[0].isupper()]
    return "".join(w[0] for w in capitals).casefold() if len(capitals) > 1 else ""


def candidates(graph: Graph, terms: Iterable[URIRef], namespace: str) -> list[Candidate]:
    """Each term under namespace with the texts it is known by (local name, labels, notations, acronym)."""
    found = []
    for term in sorted(set(terms)):
        if not str(term).startswith(namespace):
            continue
        local = str(term)[len(namespace) :]
        texts = [local]
        for prop in (RDFS.label, SKOS.prefLabel, SKOS.altLabel, SKOS.notation):
            for value in graph.objects(term, prop):
                texts.append(str(value))
                if prop != SKOS.notation and acronym(str(value)):
                    texts.append(acronym(str(value)))
        found.append((local, texts))
    return found


def nearest(name: str, choices: list[Candidate], n: int = 3) -> list[str]:
    """The valid local names nearest to name, best first (at most n)."""
    query = fold(name)
    if not query:
        return []
    exact = [local for local, texts in choices if any(fold(t) == query for t in texts)]
    if exact:
        return exact[:n]
    wanted = {w for w in words(name) if w not in _STOP}
    by_words = [local for local, texts in choices if wanted and any(wanted <= set(words(t)) for t in texts)]
    if by_words:
        return by_words[:n]
    folded: dict[str, str] = {}
    for local, texts in choices:
        for text in texts:
            folded.setdefault(fold(text), local)
    close = difflib.get_close_matches(query, sorted(folded), n=n * 3, cutoff=0.6)
    return list(dict.fromkeys(folded[c] for c in close))[:n]


def hint(name: str, choices: list[Candidate]) -> str:
    """'; nearest valid names: a, b' for a message, or '' when nothing is near."""
    near = nearest(name, choices)
    return f"; nearest valid names: {', '.join(near)}" if near else ""
