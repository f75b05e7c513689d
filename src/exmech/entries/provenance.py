"""Provenance of an addition: who added an entry, when, and from what file, stored beside the entry it describes.

Every stored file opens with a comment naming the entry file and the date it was added. `exmech add --curator
ORCID FILE` also stores, with the entry, a prov:Activity kb:<slug>-addition that generated the entry's main node,
ended at the time of the addition, used the entry file (by name) and was associated with the curator's ORCID iD.
The entry file's own comment lines (a curator's notes on what was read, and where) are kept as comments at the top
of the stored file; in a workbook, the notes columns become rdfs:comment on their rows. Comparing a stored entry
with a new one ignores the addition record, so re-adding the same entry changes nothing.
"""

import re
from datetime import datetime, timezone
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD

from exmech.errors import InputError

ADDITION = "-addition"
_ORCID = re.compile(r"(?:https://orcid\.org/)?([0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X])")


def orcid_iri(text: str) -> URIRef:
    """An ORCID iD, bare or as its https://orcid.org/ IRI, as the IRI; InputError (exit 2) otherwise."""
    found = _ORCID.fullmatch(text.strip())
    if not found:
        raise InputError(f"--curator {text!r} is not an ORCID iD such as 0000-0002-1825-0097")
    return URIRef(f"https://orcid.org/{found.group(1)}")


def is_addition(node) -> bool:
    return str(node).endswith(ADDITION)


def without_additions(graph: Graph) -> Graph:
    """The graph less the provenance records of additions (what the entry itself says)."""
    if not any(is_addition(s) for s in graph.subjects(RDF.type, PROV.Activity)):
        return graph
    out = Graph()
    for triple in graph:
        if not is_addition(triple[0]):
            out.add(triple)
    return out


def addition_record(main: URIRef, source: Path, curator: URIRef, when: datetime | None = None) -> Graph:
    """The prov:Activity of adding the entry whose main node is `main`, from the file `source`."""
    when = when or datetime.now(timezone.utc).replace(microsecond=0)
    node = URIRef(f"{main}{ADDITION}")
    record = Graph()
    record.add((node, RDF.type, PROV.Activity))
    record.add((node, RDFS.label, Literal(f"added with exmech add from {source.name}")))
    record.add((node, PROV.generated, main))
    record.add((node, PROV.used, Literal(source.name)))
    record.add((node, PROV.endedAtTime, Literal(when.isoformat(), datatype=XSD.dateTime)))
    record.add((node, PROV.wasAssociatedWith, curator))
    return record


def comment_lines(path: Path, text: str | None) -> list[str]:
    """The full-line comments of a Turtle entry (its curator's notes), to keep in the stored file."""
    if text is None or path.suffix.lower() not in (".ttl", ".turtle"):
        return []
    return [line.rstrip() for line in text.splitlines() if line.lstrip().startswith("#")][:200]
