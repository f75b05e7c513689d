"""Synthetic graphs for benchmarks: entries of the same shape as real ones, clearly marked, never shipped.

Every node lives under https://w3id.org/exmech/synthetic/ and every study carries exm:synthetic true, so a
synthetic triple can never pass for a sourced fact. Generation is seeded and therefore repeatable.
"""

import random
from collections.abc import Iterator
from decimal import Decimal

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from exmech.graph.namespaces import BIBO, EXM, INSTR, MECH, OUTC

SYNTHETIC = "https://w3id.org/exmech/synthetic/"
EXERCISE_TYPES = [
    "ResistanceExercise",
    "MotorControlExercise",
    "PilatesExercise",
    "YogaExercise",
    "McKenzieExercise",
    "WalkingExercise",
    "CyclingExercise",
    "WaterBasedExercise",
    "StretchingExercise",
    "MultimodalExercise",
    "TaiChiExercise",
]
BROADER = {
    "WalkingExercise": "AerobicExercise",
    "CyclingExercise": "AerobicExercise",
    "TaiChiExercise": "OtherExercise",
}
COMPARATORS = ["TrueControl", "HandsOnControl", "HandsOffControl"]
MECHANISMS = [
    "muscle-strength",
    "motor-control",
    "self-efficacy",
    "fear-avoidance",
    "mood",
    "aerobic-fitness",
    "endogenous-pain-inhibition",
    "pain-catastrophising",
    "flexibility",
    "tissue-repair",
]
OUTCOMES = [("pain-intensity", "nrs"), ("disability", "rmdq")]


def study_triples(i: int, rng: random.Random) -> Iterator[tuple]:
    s = URIRef(f"{SYNTHETIC}study{i}")
    pub, pop, arm1, arm2 = (URIRef(f"{s}-{x}") for x in ("pub", "pop", "arm1", "arm2"))
    ex, ctrl = URIRef(f"{s}-int1"), URIRef(f"{s}-ctrl")
    source = URIRef(f"{SYNTHETIC}source/{i}")
    n = rng.randint(20, 400)
    kind = rng.choice(EXERCISE_TYPES)  # drawn where it always was: after n, before the comparator
    # a few entries also state the broader type: the rules keep the narrower
    if i % 5 == 4 and kind in BROADER:
        yield (ex, RDF.type, EXM[BROADER[kind]])
    yield from [
        (s, RDF.type, EXM.RandomisedControlledTrial),
        (s, RDFS.label, Literal(f"Synthetic study {i}")),
        (s, EXM.synthetic, Literal(True)),
        (s, EXM.reportedIn, pub),
        (s, EXM.sampleSize, Literal(n)),
        (s, EXM.hasPopulation, pop),
        (s, EXM.hasArm, arm1),
        (s, EXM.hasArm, arm2),
        (s, EXM.mechanismExtraction, EXM.FullText),
        (s, DCTERMS.source, source),
        (pub, RDF.type, BIBO.AcademicArticle),
        (pub, DCTERMS.title, Literal(f"Synthetic trial report {i}")),
        (pub, BIBO.doi, Literal(f"10.99999/synthetic.{i}")),
        (pub, DCTERMS.issued, Literal(str(1990 + i % 30), datatype=XSD.gYear)),
        (pop, RDF.type, EXM.Population),
        (pop, EXM.minimumPainDurationWeeks, Literal(12)),
        (arm1, RDF.type, EXM.Arm),
        (arm1, EXM.receives, ex),
        (arm2, RDF.type, EXM.Arm),
        (arm2, EXM.receives, ctrl),
        (ex, RDF.type, EXM[kind]),
        (ctrl, RDF.type, EXM[rng.choice(COMPARATORS)]),
    ]
    outcome, instrument = rng.choice(OUTCOMES)
    m = URIRef(f"{s}-m1")
    yield from [
        (m, RDF.type, EXM.OutcomeMeasurement),
        (m, EXM.inStudy, s),
        (m, EXM.ofConstruct, OUTC[outcome]),
        (m, EXM.usesInstrument, INSTR[instrument]),
    ]
    if i % 3 == 0:  # a third of trials propose no mechanism, as in the review
        return
    mechanisms = rng.sample(MECHANISMS, rng.randint(1, 3))
    for k, mech in enumerate(mechanisms, start=1):
        c = URIRef(f"{s}-claim{k}")
        yield from [
            (c, RDF.type, EXM.MechanismClaim),
            (c, EXM.statedBy, s),
            (c, EXM.aboutIntervention, ex),
            (c, EXM.proposedMechanism, MECH[mech]),
            (c, EXM.sourceLocation, Literal("Discussion")),
            (c, EXM.statement, Literal("synthetic")),
            (c, PROV.wasDerivedFrom, source),
        ]
    yield from mediator_triples(s, i, MECH[mechanisms[0]], OUTC[outcome])


def mediator_triples(s: URIRef, i: int, mediator: URIRef, outcome: URIRef) -> Iterator[tuple]:
    """For a few trials (i % 20 in 1, 2, 3) a measurement of their first proposed mechanism; for two in three of
    those a mediation analysis of the trial's exercise against its control through it, with its indirect effect,
    supported (the interval below zero, the favourable direction) when i % 20 == 1. Drawn from i alone, never from
    the trial's random stream, so the other triples of a seed stay as they were."""
    if i % 20 not in (1, 2, 3):
        return
    m2 = URIRef(f"{s}-m2")
    yield from [
        (m2, RDF.type, EXM.MediatorMeasurement),
        (m2, EXM.inStudy, s),
        (m2, EXM.ofConstruct, mediator),
    ]
    if i % 20 == 3:
        return
    ma, effect = URIRef(f"{s}-ma1"), URIRef(f"{s}-ma1-indirect")
    upper = Literal(Decimal("-0.10") if i % 20 == 1 else Decimal("0.20"))
    yield from [
        (ma, RDF.type, EXM.MediationAnalysis),
        (ma, RDFS.label, Literal(f"Synthetic mediation analysis {i}")),
        (ma, EXM.reportedIn, URIRef(f"{s}-pub")),
        (ma, EXM.analysesStudy, s),
        (ma, EXM.intervention, URIRef(f"{s}-int1")),
        (ma, EXM.comparator, URIRef(f"{s}-ctrl")),
        (ma, EXM.mediator, mediator),
        (ma, EXM.outcome, outcome),
        (ma, EXM.hasEffect, effect),
        (effect, RDF.type, EXM.IndirectEffect),
        (effect, EXM.estimate, Literal(Decimal("-0.30"))),
        (effect, EXM.ciLower, Literal(Decimal("-0.60"))),
        (effect, EXM.ciUpper, upper),
        (effect, EXM.favourableDirection, EXM.Negative),
    ]


def triples(studies: int, seed: int = 1) -> Iterator[tuple]:
    rng = random.Random(seed)
    for i in range(studies):
        yield from study_triples(i, rng)


def write_ntriples(studies: int, path, seed: int = 1) -> int:
    """Stream a synthetic graph to an N-Triples file; return the number of triples written."""
    count = 0
    with open(path, "w", encoding="utf-8") as out:
        for t in triples(studies, seed):
            out.write(" ".join(term.n3() for term in t) + " .\n")
            count += 1
    return count
