"""Is the ontology with its data consistent? OWL RL closure (owlrl) always; HermiT (owlready2) where Java runs.

A verdict is remembered in this process by the exact content of the graph (its triples with their blank-node
labels, as a SHA-256): checking the same graph again (a second `check` in one session, the Python API, a test
run) reuses it instead of reasoning again (the OWL RL closure of the shipped graph takes 12 s). A graph parsed anew
has new blank-node labels, so only an unchanged copy in this process is ever matched."""

import hashlib
import shutil
import subprocess
import tempfile
from collections import OrderedDict
from dataclasses import dataclass, replace
from pathlib import Path

import owlrl
from rdflib import Graph, Namespace
from rdflib.namespace import RDF

from exmech.graph.iri_rules import strip_imports

_ERR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")


@dataclass
class Verdict:
    reasoner: str
    consistent: bool | None  # None: the reasoner could not run here
    messages: list[str]
    inferred_triples: int = 0


def owl_rl(graph: Graph) -> Verdict:
    """Compute the OWL 2 RL closure of a copy of the graph (import statements stripped); inconsistencies appear as error messages."""
    closure = strip_imports(graph)
    before = len(closure)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closure)
    messages = sorted(
        str(m) for e in closure.subjects(RDF.type, _ERR.ErrorMessage) for m in closure.objects(e, _ERR.error)
    )
    return Verdict("OWL RL (owlrl)", not messages, messages, len(closure) - before)


def java_available() -> bool:
    java = shutil.which("java")
    if not java:
        return False
    try:
        return subprocess.run([java, "-version"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def hermit(graph: Graph) -> Verdict:
    """Run HermiT through owlready2; report 'not run' cleanly when no Java runtime is present."""
    if not java_available():
        return Verdict(
            "HermiT (owlready2)", None, ["no Java runtime found: HermiT not run (OWL RL check still applies)"]
        )
    import owlready2

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "exmech.nt"
        # owlready2 fetches or opens every owl:imports target: the reasoner only ever sees the stripped graph
        strip_imports(graph).serialize(path, format="nt", encoding="utf-8")
        world = owlready2.World()
        onto = world.get_ontology(path.as_uri()).load()
        try:
            with onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError as exc:
            return Verdict("HermiT (owlready2)", False, [f"inconsistent: {exc}"])
        unsat = [str(c) for c in world.inconsistent_classes()]
    return Verdict("HermiT (owlready2)", not unsat, [f"unsatisfiable class: {c}" for c in unsat])


_KNOWN: "OrderedDict[str, dict[str, Verdict]]" = OrderedDict()  # verdicts by content, most recent last
_KNOWN_MAX = 4


def content_key(graph: Graph) -> str:
    """SHA-256 of the graph's triples as N-Triples lines, sorted, blank-node labels included."""
    digest = hashlib.sha256()
    for line in sorted(" ".join(term.n3() for term in triple) for triple in graph):
        digest.update(line.encode("utf-8", "surrogatepass") + b"\n")
    return digest.hexdigest()


def check(graph: Graph, use_hermit: bool = True) -> list[Verdict]:
    """OWL RL's verdict and, if asked, HermiT's; each computed once per graph content in this process (a
    reasoner that could not run is asked again next time)."""
    key = content_key(graph)
    known = _KNOWN.setdefault(key, {})
    _KNOWN.move_to_end(key)
    while len(_KNOWN) > _KNOWN_MAX:
        _KNOWN.popitem(last=False)
    verdicts = []
    for name, reasoner in [("owl_rl", owl_rl), *([("hermit", hermit)] if use_hermit else [])]:
        verdict = known.get(name) or reasoner(graph)
        if verdict.consistent is not None:
            known[name] = verdict
        verdicts.append(replace(verdict, messages=list(verdict.messages)))  # a caller may change its copy
    return verdicts
