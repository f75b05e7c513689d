"""The spreadsheet form of an entry: one CSV row per trial (one exercise arm, one comparator, one outcome and
optionally one proposed mechanism), mapped onto the same model as a Turtle entry."""

import csv
import io
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from exmech.graph.namespaces import BIBO, EXM, INSTR, KB, MECH, OUTC, bind_prefixes
from exmech.outputs.cells import escape_text

# column -> what it means (also the documentation `exmech template --help` and the README print)
COLUMNS = {
    "slug": "entry id: first author's surname + year, lowercase ascii letters and digits (smith2010, smith2010b)",
    "label": "short label, e.g. 'Smith 2010: Pilates vs waiting list'",
    "title": "article title as published",
    "first_author": "first author, 'Surname Initials'",
    "year": "year of publication (4 digits)",
    "journal": "journal title",
    "doi": "bare DOI, 10.NNNN/...",
    "pmid": "PubMed ID, digits",
    "registration": "trial registry ID (NCT..., ACTRN..., ISRCTN...)",
    "source": "IRI of the source you read (https://doi.org/... or https://pubmed.ncbi.nlm.nih.gov/...)",
    "extraction": "FullText, AbstractOnly or CitationOnly",
    "sample_size": "number randomised",
    "min_pain_weeks": "shortest pain duration admitted, in weeks (12 or more)",
    "exercise_type": "exercise class, e.g. PilatesExercise, WalkingExercise (see the ontology)",
    "exercise_label": "what the exercise arm received",
    "sessions_per_week": "exercise sessions per week",
    "session_minutes": "minutes per session",
    "weeks": "programme length in weeks",
    "supervision": "Supervised, Unsupervised or PartlySupervised",
    "comparator_type": "TrueControl, HandsOnControl, HandsOffControl, or an exercise class",
    "comparator_label": "what the comparison arm received",
    "outcome": "outcome domain: pain-intensity, disability or quality-of-life",
    "outcome_instrument": "instrument id, e.g. rmdq, odi, nrs, vas",
    "outcome_weeks": "time point of the outcome, weeks after randomisation",
    "mechanism": "proposed mechanism id, e.g. self-efficacy (leave empty if none)",
    "mechanism_location": "where the source states it, e.g. 'Discussion, paragraph 3'",
    "mechanism_statement": "your paraphrase of the statement",
}
_SLUG = re.compile(r"^[a-z][a-z0-9]{1,60}$")  # no "-": it separates the slug from node names


def template_text() -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(COLUMNS)
    return out.getvalue()


def write_template(path: Path) -> None:
    """Write the empty form: CSV, or XLSX (header row plus a second sheet explaining each column)."""
    if path.suffix.lower() != ".xlsx":
        path.write_text(template_text(), encoding="utf-8")
        return
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "entries"
    sheet.append([escape_text(c) for c in COLUMNS])  # openpyxl stores text starting with '=' as a formula
    help_sheet = book.create_sheet("columns")
    help_sheet.append(["column", "meaning"])
    for name, meaning in COLUMNS.items():
        help_sheet.append([escape_text(name), escape_text(meaning)])
    book.save(path)


def _number(value: str) -> Literal:
    """A number literal when the cell is numeric; otherwise the text, so the shapes report the wrong datatype."""
    try:
        number = Decimal(value)
    except InvalidOperation:
        return Literal(value)
    return (
        Literal(int(number)) if number == number.to_integral_value() and "." not in value else Literal(number)
    )


def _term(namespace, value: str) -> URIRef:
    local = value.split(":", 1)[1] if ":" in value else value
    return namespace[local]


def rows_to_graph(text: str, path: Path) -> Graph:
    """A CSV entry (UTF-8 text; leading '# ...' lines are notes) as a graph."""
    lines = text.splitlines(keepends=True)
    skipped = 0
    while skipped < len(lines) and lines[skipped].startswith("#"):
        skipped += 1
    reader = csv.reader(io.StringIO("".join(lines[skipped:])))
    try:
        header = next(reader, [])
        rows = [(number, cells) for number, cells in enumerate(reader, start=2 + skipped)]
    except csv.Error as exc:
        raise _error(path, reader.line_num + skipped, f"not valid CSV: {exc}") from exc
    return records_to_graph(header, rows, path, 1 + skipped)


class EntryGraph(Graph):
    """An entry read from the one-row form: its graph, and the spreadsheet row each trial came from (so that
    problems can name the row)."""

    def __init__(self) -> None:
        super().__init__()
        self.entry_rows: dict[str, int] = {}


def records_to_graph(header: list[str], rows, path: Path, header_row: int = 1) -> Graph:
    """Spreadsheet rows (row number, cells) under a header row as a graph; each trial remembers its row."""
    header = [str(h or "").strip() for h in header]
    while header and not header[-1]:
        header.pop()
    missing = [c for c in ("slug", "title", "source", "exercise_type") if c not in header]
    if missing:
        raise _error(
            path, header_row, f"missing column(s) {', '.join(missing)}; start from `exmech template`"
        )
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        raise _error(
            path, header_row, f"unknown column(s) {', '.join(unknown)}; expected: {', '.join(COLUMNS)}"
        )
    graph = EntryGraph()
    bind_prefixes(graph)
    for row_number, values in rows:
        values = ["" if v is None else str(v) for v in values]
        if not any(v.strip() for v in values):
            continue  # blank spreadsheet rows
        if len(values) > len(header) and any(v.strip() for v in values[len(header) :]):
            raise _error(
                path, row_number, f"{len(values)} cells but only {len(header)} columns in the header"
            )
        cells = {k: v.strip() for k, v in zip(header, values, strict=False)}
        slug = cells.get("slug", "")
        if not _SLUG.match(slug):
            raise _error(
                path,
                row_number,
                f"column slug {slug!r} must be lowercase ascii letters and digits, e.g. smith2010 or smith2010b",
            )
        if slug in graph.entry_rows:
            raise _error(path, row_number, f"slug {slug!r} already used on row {graph.entry_rows[slug]}")
        graph.entry_rows[slug] = row_number
        _add_row(graph, slug, cells)
    if not graph.entry_rows:
        raise _error(path, header_row + 1, "no entry rows under the header")
    return graph


def _error(path: Path, row: int, message: str):
    from exmech.entries.read import EntryError

    return EntryError(f"{path}: row {row}: {message}")


def _add_row(g: Graph, slug: str, c: dict) -> None:
    s, pub, pop = KB[slug], KB[f"{slug}-pub"], KB[f"{slug}-pop"]
    arm1, arm2, ex, ctrl = KB[f"{slug}-arm1"], KB[f"{slug}-arm2"], KB[f"{slug}-int1"], KB[f"{slug}-int2"]
    source = URIRef(c["source"]) if c.get("source") else None
    g.add((s, RDF.type, EXM.RandomisedControlledTrial))
    g.add((s, RDFS.label, Literal(c.get("label") or slug)))
    g.add((s, EXM.reportedIn, pub))
    g.add((s, EXM.hasPopulation, pop))
    g.add((s, EXM.hasArm, arm1))
    if source:
        for node in (s, pub, pop, ex):
            g.add((node, DCTERMS.source, source))
    if c.get("extraction"):
        g.add((s, EXM.mechanismExtraction, _term(EXM, c["extraction"])))
    if c.get("sample_size"):
        g.add((s, EXM.sampleSize, _number(c["sample_size"])))
    if c.get("registration"):
        g.add((s, EXM.trialRegistration, Literal(c["registration"])))
    g.add((pub, RDF.type, BIBO.AcademicArticle))
    for column, prop in (
        ("title", DCTERMS.title),
        ("first_author", DCTERMS.creator),
        ("journal", EXM.journal),
        ("doi", BIBO.doi),
        ("pmid", BIBO.pmid),
    ):
        if c.get(column):
            g.add((pub, prop, Literal(c[column])))
    if c.get("year"):
        g.add((pub, DCTERMS.issued, Literal(c["year"], datatype=XSD.gYear)))
    g.add((pop, RDF.type, EXM.Population))
    if c.get("min_pain_weeks"):
        g.add((pop, EXM.minimumPainDurationWeeks, _number(c["min_pain_weeks"])))
    g.add((arm1, RDF.type, EXM.Arm))
    g.add((arm1, EXM.receives, ex))
    g.add((ex, RDF.type, _term(EXM, c["exercise_type"])))
    g.add((ex, RDFS.label, Literal(c.get("exercise_label") or c["exercise_type"])))
    for column, prop in (
        ("sessions_per_week", EXM.sessionsPerWeek),
        ("session_minutes", EXM.sessionDurationMinutes),
        ("weeks", EXM.programmeDurationWeeks),
    ):
        if c.get(column):
            g.add((ex, prop, _number(c[column])))
    if c.get("supervision"):
        g.add((ex, EXM.supervision, _term(EXM, c["supervision"])))
    if c.get("comparator_type"):
        g.add((s, EXM.hasArm, arm2))
        g.add((arm2, RDF.type, EXM.Arm))
        g.add((arm2, EXM.receives, ctrl))
        g.add((ctrl, RDF.type, _term(EXM, c["comparator_type"])))
        g.add((ctrl, RDFS.label, Literal(c.get("comparator_label") or c["comparator_type"])))
    if c.get("outcome"):
        m = KB[f"{slug}-m1"]
        g.add((m, RDF.type, EXM.OutcomeMeasurement))
        g.add((m, EXM.inStudy, s))
        g.add((m, EXM.ofConstruct, _term(OUTC, c["outcome"])))
        if c.get("outcome_instrument"):
            g.add((m, EXM.usesInstrument, _term(INSTR, c["outcome_instrument"])))
        if c.get("outcome_weeks"):
            g.add((m, EXM.timePointWeeks, _number(c["outcome_weeks"])))
    if c.get("mechanism"):
        claim = KB[f"{slug}-claim1"]
        g.add((claim, RDF.type, EXM.MechanismClaim))
        g.add((claim, EXM.statedBy, s))
        g.add((claim, EXM.aboutIntervention, ex))
        g.add((claim, EXM.proposedMechanism, _term(MECH, c["mechanism"])))
        if c.get("mechanism_location"):
            g.add((claim, EXM.sourceLocation, Literal(c["mechanism_location"])))
        if c.get("mechanism_statement"):
            g.add((claim, EXM.statement, Literal(c["mechanism_statement"])))
        if source:
            g.add((claim, PROV.wasDerivedFrom, source))
