"""One entry model: the workbook's sheets and columns, the help sheet, the JSON-LD context and the README agree
with exmech.entries.model, and the model agrees with the shapes and the ontology."""

import json

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

from exmech.entries.model import SHEETS, columns
from exmech.entries.workbook_files import help_rows
from exmech.graph.load import parse_file
from exmech.graph.namespaces import EXM, compact, expand
from exmech.graph.resources import ontology_files, resource_dir

KINDS = {"int": XSD.integer, "number": XSD.decimal, "bool": XSD.boolean, "text": XSD.string}


def _ontology() -> Graph:
    graph = Graph()
    for path in ontology_files():
        parse_file(graph, path)
    return graph


def test_every_property_a_shape_checks_on_a_sheet_class_is_a_column_of_that_sheet():
    shapes = Graph().parse(resource_dir("shapes") / "exmech-shapes.ttl")
    for sheet in SHEETS:
        classes = {expand(c) for c in sheet.classes}
        fields = {f.predicate for f in sheet.fields}
        for shape in set(shapes.subjects(SH.targetClass, None)):
            if not {str(c) for c in shapes.objects(shape, SH.targetClass)} & classes:
                continue
            for prop_shape in shapes.objects(shape, SH.property):
                path = shapes.value(prop_shape, SH.path)
                assert path in fields, f"sheet {sheet.name} has no column for {compact(str(path))}"


def test_every_column_kind_matches_the_ontology_range_and_has_a_json_ld_term():
    ontology = _ontology()
    context = json.loads((resource_dir("ontology") / "context.jsonld").read_text(encoding="utf-8"))[
        "@context"
    ]
    terms = {(v if isinstance(v, str) else v["@id"]) for k, v in context.items() if k[0] != "@"}
    for sheet in SHEETS:
        assert len(set(columns(sheet))) == len(columns(sheet)), sheet.name
        for cls in sheet.classes:
            assert ontology.value(URIRef(expand(cls)), RDF.type), cls
        for field in sheet.fields:
            curie = compact(str(field.predicate))
            assert curie in terms, f"{sheet.name}.{field.column}: no JSON-LD context term for {curie}"
            if not str(field.predicate).startswith(str(EXM)):
                continue
            kind = ontology.value(field.predicate, RDF.type)
            if field.kind in ("ref", "term"):
                assert kind == OWL.ObjectProperty, f"{sheet.name}.{field.column}"
            else:
                assert kind == OWL.DatatypeProperty, f"{sheet.name}.{field.column}"
                assert ontology.value(field.predicate, RDFS.range) == KINDS[field.kind], (
                    f"{sheet.name}.{field.column}"
                )


def test_the_help_sheet_lists_every_column_of_every_sheet():
    listed = {(row[0], row[1]) for row in help_rows()}
    for sheet in SHEETS:
        for column in columns(sheet):
            assert (sheet.name, column) in listed, (sheet.name, column)


def test_the_readme_lists_every_sheet_and_column():
    readme = (resource_dir("ontology").parent / "README.md").read_text(encoding="utf-8")
    for sheet in SHEETS:
        line = next((x for x in readme.splitlines() if x.startswith(f"| `{sheet.name}` |")), None)
        assert line, f"README lists no sheet {sheet.name}"
        for column in columns(sheet):
            assert f"`{column}`" in line, (sheet.name, column)


def test_the_readme_lists_the_one_row_form_as_the_workbook_cells_it_fills():
    from exmech.entries.form import readme_table

    readme = (resource_dir("ontology").parent / "README.md").read_text(encoding="utf-8")
    assert readme_table() in readme, "README's one-row table is not form.readme_table(): paste it again"


def test_the_exercise_class_guide_names_real_classes_and_is_in_the_readme_and_help_sheet():
    import re

    from exmech.entries.workbook_files import GUIDE

    readme = (resource_dir("ontology").parent / "README.md").read_text(encoding="utf-8")
    ontology = _ontology()
    help_sheet = {(row[1], row[2]) for row in help_rows() if row[0] == "guide"}
    for name, advice in GUIDE:
        assert f"- {name}: {advice}" in readme and (name, advice) in help_sheet, name
        for cls in re.findall(r"\b[A-Z][A-Za-z]+Exercise\b", advice):
            assert (EXM[cls], RDF.type, OWL.Class) in ontology, cls
