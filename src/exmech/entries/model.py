"""The entry model, written once: which sheets a workbook entry has, their columns, and what each column means.

Each sheet holds one kind of node (a trial, a publication, an arm, ...), one row per node, keyed by its id (the
part of its IRI after kb:, e.g. sherman2011-arm2); the trial key is the id's slug root (sherman2011). Each column is
one property: its kind says how a cell becomes an RDF term (`text`, `int`, `number` as written, `year`, `bool`, `ref`
to another row's id, `term` of a namespace, `iri`), `many` that a cell holds several values separated by " | ".
A time point's field has a `unit` column beside it: its cell may say "6 months" or "12 weeks", or hold a bare
number whose unit the unit column gives (weeks when empty); exmech.entries.time_points converts it to weeks.
The workbook reader and writer (exmech.entries.workbook), the help sheet and the README's column list are made from
this table, and tests/test_entry_model.py checks it against the shapes, the ontology and the JSON-LD context.
To add a field, add a Field here.
"""

from dataclasses import dataclass

from rdflib import URIRef
from rdflib.namespace import DCTERMS, PROV, RDFS

from exmech.graph.namespaces import BIBO, EXM, INSTR, MECH, OUTC

SEPARATOR = " | "


@dataclass(frozen=True)
class Field:
    column: str
    predicate: URIRef
    kind: str  # text | int | number | year | bool | ref | term | iri
    help: str
    many: bool = False
    namespaces: tuple = ()  # for kind "term": the namespaces a value may come from (the first is the default)
    unit: str = ""  # a time point's unit column (weeks or months), read with it; written empty


@dataclass(frozen=True)
class Sheet:
    name: str
    classes: tuple  # the classes a row may have; with several, the sheet has a "class" column
    help: str
    fields: tuple


def _f(column, predicate, kind, help, many=False, *namespaces) -> Field:
    return Field(column, predicate, kind, help, many, tuple(namespaces))


def _time(column, predicate, help, unit) -> Field:
    """A time point: weeks, or written with its unit ('6 months'), or a number with the unit in column `unit`."""
    return Field(column, predicate, "number", f"{help}: weeks, or with its unit ('6 months')", unit=unit)


SOURCE = _f("source", DCTERMS.source, "iri", "IRI of what you read (https://doi.org/...)", True)
COMMENT = _f("notes", RDFS.comment, "text", "curator's notes (kept as rdfs:comment)", True)
LABEL = _f("label", RDFS.label, "text", "short label")
DERIVED = _f("derived_from", PROV.wasDerivedFrom, "iri", "IRI of the source the numbers come from", True)
LOCATION = _f("location", EXM.sourceLocation, "text", "where the source states it, e.g. 'Table 3'")

_EXERCISE = [
    f"exm:{n}"
    for n in (
        "AerobicExercise",
        "CyclingExercise",
        "FlexionExercise",
        "JoggingExercise",
        "McKenzieExercise",
        "MotorControlExercise",
        "MultimodalExercise",
        "OtherExercise",
        "PilatesExercise",
        "ResistanceExercise",
        "StretchingExercise",
        "TaiChiExercise",
        "WalkingExercise",
        "WaterBasedExercise",
        "YogaExercise",
    )
]
_COMPARATOR = ["exm:Comparator", "exm:TrueControl", "exm:HandsOnControl", "exm:HandsOffControl"]
_EFFECTS = ["exm:IndirectEffect", "exm:APathEffect", "exm:BPathEffect", "exm:DirectEffect", "exm:TotalEffect"]

SHEETS = (
    Sheet(
        "trials",
        ("exm:RandomisedControlledTrial",),
        "one row per trial; id is the trial key: first author's surname + year (sherman2011)",
        (
            LABEL,
            _f("reported_in", EXM.reportedIn, "ref", "publication id(s), sheet publications", True),
            _f("population", EXM.hasPopulation, "ref", "population id, sheet populations"),
            _f("arms", EXM.hasArm, "ref", "arm ids, sheet arms", True),
            _f("sample_size", EXM.sampleSize, "int", "number randomised"),
            _f("registration", EXM.trialRegistration, "text", "trial registry ID (NCT..., ACTRN...)", True),
            _f(
                "extraction",
                EXM.mechanismExtraction,
                "term",
                "FullText, PartialText, AbstractOnly or CitationOnly",
                False,
                EXM,
            ),
            SOURCE,
            COMMENT,
        ),
    ),
    Sheet(
        "publications",
        ("bibo:AcademicArticle",),
        "one row per article (id: <key>-pub)",
        (
            _f("title", DCTERMS.title, "text", "article title as published"),
            _f("authors", DCTERMS.creator, "text", "authors, 'Surname Initials', separated by ' | '", True),
            _f("year", DCTERMS.issued, "year", "year of publication (4 digits)"),
            _f("journal", EXM.journal, "text", "journal title"),
            _f("volume", BIBO.volume, "text", "volume"),
            _f("issue", BIBO.issue, "text", "issue"),
            _f("pages", BIBO.pages, "text", "pages, e.g. 2792-2800"),
            _f("doi", BIBO.doi, "text", "bare DOI, 10.NNNN/..."),
            _f("pmid", BIBO.pmid, "text", "PubMed ID, digits"),
            _f("see_also", RDFS.seeAlso, "iri", "other pages about the article", True),
            SOURCE,
            COMMENT,
        ),
    ),
    Sheet(
        "populations",
        ("exm:Population",),
        "one row per trial population (id: <key>-pop)",
        (
            _f("description", RDFS.label, "text", "who was randomised, as the article says"),
            _f(
                "min_pain_weeks",
                EXM.minimumPainDurationWeeks,
                "number",
                "shortest pain duration admitted, weeks",
            ),
            _f(
                "chronicity",
                EXM.chronicity,
                "term",
                "Chronic, MixedChronicity or UnclearChronicity",
                False,
                EXM,
            ),
            _f("mean_age", EXM.meanAge, "number", "participants' mean age, years"),
            SOURCE,
            COMMENT,
        ),
    ),
    Sheet(
        "arms",
        ("exm:Arm",),
        "one row per arm, any number per trial (id: <key>-arm1, -arm2, ...)",
        (
            LABEL,
            _f("receives", EXM.receives, "ref", "the intervention id it receives, sheet interventions"),
            _f("arm_size", EXM.armSampleSize, "int", "participants randomised to the arm"),
        ),
    ),
    Sheet(
        "interventions",
        tuple(_EXERCISE + _COMPARATOR),
        "one row per exercise programme or comparator (id: <key>-int1, <key>-ctrl, ...); class: see the guide",
        (
            LABEL,
            _f("sessions_per_week", EXM.sessionsPerWeek, "number", "sessions per week"),
            _f("session_minutes", EXM.sessionDurationMinutes, "number", "minutes per session"),
            _f("weeks", EXM.programmeDurationWeeks, "number", "programme length, weeks"),
            _f(
                "supervision",
                EXM.supervision,
                "term",
                "Supervised, Unsupervised or PartlySupervised",
                False,
                EXM,
            ),
            SOURCE,
            COMMENT,
        ),
    ),
    Sheet(
        "measurements",
        ("exm:OutcomeMeasurement", "exm:MediatorMeasurement"),
        "one row per outcome or mediator measured (id: <key>-m1, ...)",
        (
            _f("trial", EXM.inStudy, "ref", "the trial key"),
            _f(
                "construct",
                EXM.ofConstruct,
                "term",
                "outcome domain (outc:) or mechanism (mech:)",
                False,
                OUTC,
                MECH,
            ),
            _f("instrument", EXM.usesInstrument, "term", "instrument id, e.g. rmdq, odi, nrs", False, INSTR),
            _time("weeks", EXM.timePointWeeks, "time point after randomisation", "time_unit"),
            SOURCE,
            COMMENT,
        ),
    ),
    Sheet(
        "claims",
        ("exm:MechanismClaim",),
        "one row per mechanism a trial's authors proposed (id: <key>-claim1, ...)",
        (
            _f("trial", EXM.statedBy, "ref", "the trial key"),
            _f("intervention", EXM.aboutIntervention, "ref", "intervention id(s)", True),
            _f("mechanism", EXM.proposedMechanism, "term", "mechanism id, e.g. self-efficacy", False, MECH),
            _f("for_outcome", EXM.forOutcome, "term", "outcome domain(s) it is proposed for", True, OUTC),
            LOCATION,
            _f("statement", EXM.statement, "text", "your paraphrase of the statement"),
            DERIVED,
            COMMENT,
        ),
    ),
    Sheet(
        "mediator_sets",
        ("exm:MediatorSet",),
        "one row per set of mediators a mediation analysis tests together (id: <key>-set1, ...)",
        (
            LABEL,
            _f(
                "members",
                EXM.hasMember,
                "term",
                "two or more mechanisms or outcome domains",
                True,
                MECH,
                OUTC,
            ),
            COMMENT,
        ),
    ),
    Sheet(
        "mediation",
        ("exm:MediationAnalysis",),
        "one row per mediation analysis (AGReMA fields; id: <key>-ma1, ...)",
        (
            LABEL,
            _f("reported_in", EXM.reportedIn, "ref", "publication id, sheet publications"),
            _f("trial", EXM.analysesStudy, "ref", "the trial whose data it analyses"),
            _f("intervention", EXM.intervention, "ref", "exercise intervention id"),
            _f("comparator", EXM.comparator, "ref", "comparator id"),
            _f(
                "mediator",
                EXM.mediator,
                "term",
                "mechanism id (or leave empty and give joint_mediator)",
                False,
                MECH,
            ),
            _f("joint_mediator", EXM.jointMediator, "ref", "mediator set id, sheet mediator_sets"),
            _f("mediator_instrument", EXM.mediatorInstrument, "term", "instrument id", False, INSTR),
            _time("mediator_weeks", EXM.mediatorTimePointWeeks, "mediator time point", "mediator_time_unit"),
            _f("outcome", EXM.outcome, "term", "outcome domain", False, OUTC),
            _f("outcome_instrument", EXM.outcomeInstrument, "term", "instrument id", False, INSTR),
            _time("outcome_weeks", EXM.outcomeTimePointWeeks, "outcome time point", "outcome_time_unit"),
            _f("sample_size", EXM.sampleSize, "int", "participants analysed"),
            _f("method", EXM.analysisMethod, "text", "analysis method as reported"),
            _f("adjusted_for", EXM.adjustedFor, "text", "confounders adjusted for", True),
            _f("proportion_mediated", EXM.proportionMediated, "number", "fraction (0.35 for 35%)"),
            _f("numbers_readable", EXM.numbersReadable, "bool", "false when the source gives no numbers"),
            _f("stated_finding", EXM.statedFinding, "term", "MediationFound or NoMediationFound", False, EXM),
            _f("effects", EXM.hasEffect, "ref", "effect ids, sheet effects", True),
            LOCATION,
            DERIVED,
            COMMENT,
        ),
    ),
    Sheet(
        "effects",
        tuple(_EFFECTS),
        "one row per reported effect of a mediation analysis (id: <key>-ma1-indirect, ...)",
        (
            _f("estimate", EXM.estimate, "number", "point estimate as reported"),
            _f("ci_lower", EXM.ciLower, "number", "lower confidence limit"),
            _f("ci_upper", EXM.ciUpper, "number", "upper confidence limit"),
            _f("ci_level", EXM.ciLevel, "number", "confidence level as a fraction, e.g. 0.95"),
            _f("p_value", EXM.pValue, "number", "p value"),
            _f("scale", EXM.effectScale, "text", "scale and units of the estimate"),
            _f("favourable_direction", EXM.favourableDirection, "term", "Negative or Positive", False, EXM),
            LOCATION,
            DERIVED,
        ),
    ),
)


def columns(sheet: Sheet) -> list[str]:
    """The header of a sheet: id, class (when the sheet holds several classes), then its fields (a time point
    followed by its unit column)."""
    fields = [c for f in sheet.fields for c in (f.column, f.unit) if c]
    return ["id"] + (["class"] if len(sheet.classes) > 1 else []) + fields


SHEET_BY_NAME = {s.name: s for s in SHEETS}
