"""Property-based tests: entries generated from the spreadsheet template (any subset of optional columns, any valid
values) conform; breaking one field makes exactly the shape that guards it fire; adding is idempotent."""

from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from entry_helpers import GOOD_ROW, copy_kb, private_cache_fixture, tree_digest, write_csv  # noqa: F401
from exmech.cli import app
from exmech.entries.read import read_entry
from exmech.entries.validate import validate_entry
from exmech.synthetic import COMPARATORS, EXERCISE_TYPES, MECHANISMS

runner = CliRunner()
SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)  # each example runs pyshacl: no long shrinking
REQUIRED = ("slug", "title", "source", "exercise_type", "extraction")
digits = st.integers
valid_row = st.fixed_dictionaries(
    {
        "slug": st.from_regex(r"\A[a-z]{3,12}(19[6-9][0-9]|20[0-2][0-9])[a-z]?\Z"),
        "label": st.text(
            st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=40
        )
        .map(str.strip)
        .filter(bool),
        "title": st.text(
            st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=80
        )
        .map(str.strip)
        .filter(bool),
        "year": digits(1960, 2025).map(str),
        "doi": st.from_regex(r"\A10\.[0-9]{4,6}/[a-z0-9.]{1,20}\Z").map(lambda d: d.replace("10.", "10.", 1)),
        "pmid": digits(1, 99_999_999).map(str),
        "registration": st.one_of(
            digits(0, 99_999_999).map(lambda n: f"NCT{n:08d}"),
            digits(0, 10**14 - 1).map(lambda n: f"ACTRN{n:014d}"),
            digits(0, 99_999_999).map(lambda n: f"ISRCTN{n:08d}"),
        ),
        "source": st.just("https://doi.org/10.5555/generated"),
        "extraction": st.sampled_from(["FullText", "AbstractOnly", "CitationOnly"]),
        "sample_size": digits(1, 100_000).map(str),
        "min_pain_weeks": digits(12, 1040).map(str),
        "exercise_type": st.sampled_from(EXERCISE_TYPES),
        "sessions_per_week": st.one_of(digits(1, 14).map(str), st.sampled_from(["0.5", "1.5", "2.5"])),
        "session_minutes": digits(1, 480).map(str),
        "weeks": digits(1, 260).map(str),
        "supervision": st.sampled_from(["Supervised", "Unsupervised", "PartlySupervised"]),
        "comparator_type": st.sampled_from(COMPARATORS),
        "outcome": st.sampled_from(["pain-intensity", "disability"]),
        "outcome_instrument": st.sampled_from(["nrs", "rmdq", "odi"]),
        "outcome_weeks": digits(0, 520).map(str),
        "mechanism": st.sampled_from(MECHANISMS),
        "mechanism_location": st.just("Discussion"),
        "mechanism_statement": st.just("generated paraphrase"),
    }
)


@st.composite
def rows(draw):
    """A valid row with a random subset of the optional columns left empty."""
    row = draw(valid_row)
    claim = {"mechanism_location", "mechanism_statement"}  # a claim needs both (ClaimShape); they go with it
    dropped = draw(st.sets(st.sampled_from(sorted(set(row) - set(REQUIRED) - claim))))
    if "mechanism" in dropped:
        dropped |= claim
    return {k: ("" if k in dropped else v) for k, v in row.items()}


def violations(path: Path) -> set[str]:
    return {p.shape for p in validate_entry(read_entry(path), {}) if p.severity == "Violation"}


@SETTINGS
@given(row=rows())
def test_rows_generated_from_the_template_conform(tmp_path_factory, row):
    path = write_csv(tmp_path_factory.mktemp("row") / "e.csv", row)
    assert violations(path) == set()


# one broken field -> the one shape that must say so
BREAKS = {
    "doi": (
        st.sampled_from(["https://doi.org/10.1/x", "doi:10.1234/x", "11.1234/x", "10.12/x"]),
        "shp:PublicationShape-doi",
    ),
    "pmid": (st.sampled_from(["PMID123", "0123", "12a", "1234567890"]), "shp:PublicationShape-pmid"),
    "registration": (
        st.sampled_from(["NCT123", "nct01234567", "trial 5", "ACTRN1"]),
        "shp:StudyShape-registration",
    ),
    "year": (digits(1000, 1899).map(str), "shp:PublicationShape-yearRange"),
    "sample_size": (
        st.one_of(digits(-1000, 0).map(str), st.just("60.5"), st.just("sixty")),
        "shp:StudyShape-sampleSize",
    ),
    "min_pain_weeks": (digits(0, 11).map(str), "shp:PopulationShape-chronicity"),
    "sessions_per_week": (digits(15, 100).map(str), "shp:ExerciseShape-frequency"),
    "weeks": (digits(261, 5000).map(str), "shp:ExerciseShape-weeks"),
    "supervision": (st.sampled_from(["Sometimes", "Online"]), "shp:ExerciseShape-supervision"),
    "extraction": (st.sampled_from(["Skimmed", "Guessed"]), "shp:StudyShape-extraction"),
    "mechanism": (st.sampled_from(["core-strenght", "self-eficacy", "willpower"]), "vocabulary"),
    "exercise_type": (st.sampled_from(["PilatesExcercise", "Zumba"]), "vocabulary"),
    "outcome_weeks": (digits(521, 9999).map(str), "shp:MeasurementShape-time"),
}


@SETTINGS
@given(field=st.sampled_from(sorted(BREAKS)), data=st.data())
def test_breaking_one_field_fires_exactly_its_shape(tmp_path_factory, field, data):
    strategy, shape = BREAKS[field]
    path = write_csv(tmp_path_factory.mktemp("bad") / "e.csv", GOOD_ROW | {field: data.draw(strategy)})
    assert violations(path) == {shape}


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(row=rows())
def test_adding_a_generated_entry_twice_changes_nothing_the_second_time(tmp_path_factory, row):
    folder = tmp_path_factory.mktemp("add")
    kb = copy_kb(folder)
    path = write_csv(
        folder / "e.csv", row | {"doi": "10.5555/generated.unique", "pmid": "", "registration": ""}
    )
    first = runner.invoke(
        app, ["add", str(path), "--kb", str(kb)], env={"EXMECH_CACHE_DIR": str(folder / "c")}
    )
    assert first.exit_code == 0, first.output
    digest = tree_digest(kb)
    again = runner.invoke(
        app, ["add", str(path), "--kb", str(kb)], env={"EXMECH_CACHE_DIR": str(folder / "c")}
    )
    assert again.exit_code == 0 and tree_digest(kb) == digest
