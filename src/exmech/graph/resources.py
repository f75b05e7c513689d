"""Where the packaged edit files are: inside an installed wheel, or at the top of a source checkout."""

import os
from functools import cache
from pathlib import Path

from exmech.errors import InputError

_PACKAGE = Path(__file__).resolve().parents[1]  # the exmech package folder


@cache
def resource_dir(name: str) -> Path:
    """Return the folder `name` (ontology, shapes or queries)."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parents[1] / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"exmech resource folder {name!r} not found beside {_PACKAGE}")


def cache_dir() -> Path:
    """exmech's cache folder: $EXMECH_CACHE_DIR if set, else the user cache folder of the platform (platformdirs)."""
    import platformdirs

    return Path(os.environ.get("EXMECH_CACHE_DIR") or platformdirs.user_cache_dir("exmech", appauthor=False))


def ontology_files() -> list[Path]:
    """The ontology and its controlled vocabularies, in a stable order."""
    root = resource_dir("ontology")
    return [root / "exmech.ttl", *sorted((root / "vocab").glob("*.ttl"))]


def knowledge_base_files(kb_dir: Path | None = None) -> list[Path]:
    """Every entry of the knowledge base (the review, trials and mediation analyses)."""
    root = kb_dir or resource_dir("ontology") / "kb"
    files = sorted(root.rglob("*.ttl"))
    for path in files:  # a planted link must not make a command read a file outside the folder
        if path.is_symlink() or not path.is_file():
            raise InputError(f"{path} is a symbolic link or not a regular file; refusing to read it")
    return files


def checkout_dir(name: str, purpose: str) -> Path:
    """The edit folder `name` of the source checkout exmech runs from, for commands that write into it.

    Never a folder inside an installed package: run from a wheel, the caller must name a folder itself."""
    candidate = _PACKAGE.parents[1] / name
    if (_PACKAGE / "_data").is_dir() or not candidate.is_dir():
        raise InputError(
            f"{purpose} writes into the project's {name}/ folder, and exmech is running from an installed package "
            f"({_PACKAGE}), not from a source checkout; name the folder explicitly"
        )
    return candidate
