"""Where the packaged edit files are: inside an installed wheel, or at the top of a source checkout."""

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def resource_dir(name: str) -> Path:
    """Return the folder `name` (ontology, shapes or queries)."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parents[1] / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"exmech resource folder {name!r} not found beside {_PACKAGE}")


def ontology_files() -> list[Path]:
    """The ontology and its controlled vocabularies, in a stable order."""
    root = resource_dir("ontology")
    return [root / "exmech.ttl", *sorted((root / "vocab").glob("*.ttl"))]


def knowledge_base_files(kb_dir: Path | None = None) -> list[Path]:
    """Every entry of the knowledge base (the review, trials and mediation analyses)."""
    root = kb_dir or resource_dir("ontology") / "kb"
    return sorted(root.rglob("*.ttl"))
