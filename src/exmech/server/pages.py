"""The HTML of `exmech serve`: Jinja2 templates and static files, both package data of exmech.server.

Templates (templates/*.html.j2) are autoescaped; no page holds inline script or style, so the
Content-Security-Policy (`CSP`) allows scripts and styles from this server only ('self'), nothing inline.
Static files are served from a fixed list read once at start: no request names a path on disk.
"""

from functools import cache
from importlib.resources import files

from jinja2 import Environment, PackageLoader, select_autoescape

from exmech.graph.catalogue import catalogue
from exmech.graph.namespaces import BASE, PREFIXES
from exmech.server.conneg import NotAcceptable, choose, negotiate
from exmech.server.worker import GRAPH_TYPES, Reply, text
from exmech.stores import inline_bindings

HTML = "text/html; charset=utf-8"
YASGUI = "yasgui.html.j2"  # the query page at / (YASGUI, vendored); query.html.j2 at /simple works without JavaScript
STATIC_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".map": "application/json",
}
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


@cache
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("exmech.server", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, **context) -> Reply:
    """A page from a template, as a 200 HTML reply."""
    return Reply(200, HTML, environment().get_template(template).render(**context).encode("utf-8"))


@cache
def static_files() -> dict[str, tuple[str, bytes]]:
    """Every file under static/ (name relative to it -> media type, bytes), read once."""
    found: dict[str, tuple[str, bytes]] = {}

    def walk(folder, prefix: str) -> None:
        for entry in folder.iterdir():
            name = prefix + entry.name
            if entry.is_dir():
                walk(entry, name + "/")
            elif "." + name.rsplit(".", 1)[-1] in STATIC_TYPES:
                found[name] = (STATIC_TYPES["." + name.rsplit(".", 1)[-1]], entry.read_bytes())

    walk(files("exmech.server") / "static", "")
    return found


def static_file(name: str) -> Reply:
    if name not in static_files():
        return text(404, f"no static file {name[:100]!r} here")
    media, body = static_files()[name]
    return Reply(200, media, body, {"Cache-Control": "public, max-age=3600"})


def wants_html(accept: str) -> bool:
    """Browsers prefer text/html to any RDF type; programs name an RDF type (or nothing)."""
    try:
        media, _ = negotiate(
            accept, {**GRAPH_TYPES, "text/html": "html", "application/xhtml+xml": "html"}, "text/turtle"
        )
    except NotAcceptable:
        return False
    return media in ("text/html", "application/xhtml+xml")


def example_text(query) -> str:
    """A packaged query ready to run by hand: its question as a comment, its default parameters as VALUES."""
    return f"# {query.question}\n{inline_bindings(query.text, query.bindings({})).strip()}\n"


def prefix_lines() -> str:
    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in sorted(PREFIXES.items()))


@cache
def _query_page(template: str) -> Reply:
    examples = [(name, q.question, example_text(q)) for name, q in catalogue().items()]
    config = {
        "prefixes": {name: str(iri) for name, iri in sorted(PREFIXES.items())},
        "start": prefix_lines()
        + "\nSELECT * WHERE { ?s a exm:RandomisedControlledTrial ; rdfs:label ?label }\nLIMIT 10\n",
        "examples": {name: text for name, _, text in examples},
        "base": BASE,
    }
    return render(template, examples=examples, config=config)


def query_page(accept: str = "", template: str = "query.html.j2") -> Reply:
    """A query page: the plain one (query.html.j2, works without JavaScript) or YASGUI (yasgui.html.j2);
    406 if the client takes no HTML."""
    choose(accept, ["text/html"])
    return _query_page(template)
