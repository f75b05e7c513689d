"""An entry as read: its triples, and where in the entry file they came from, so problems can name the place."""

from rdflib import Graph
from rdflib.term import Node


class EntryGraph(Graph):
    """An entry's graph with its origins: the one-row form's row of each trial, the workbook's sheet and row of
    each node, and the curator's comment lines (kept in the stored file)."""

    def __init__(self) -> None:
        super().__init__()
        self.entry_rows: dict[str, int] = {}  # one-row form: trial slug -> spreadsheet row
        self.entry_cells: dict[Node, tuple[str, int]] = {}  # workbook: node -> (sheet, row)
        self.entry_comments: list[str] = []  # Turtle / RDF entries: the file's comment lines


def origins(entry: Graph) -> EntryGraph:
    """The entry's origins (empty for a graph that was not read from an entry file)."""
    return entry if isinstance(entry, EntryGraph) else EntryGraph()
