"""Third-party triple stores started here on 127.0.0.1, once per test session, for tests/test_interop.py.

- Virtuoso (Debian's virtuoso-opensource): a new database in a temporary folder, from a minimal virtuoso.ini whose
  SQL and HTTP ports are free ports on 127.0.0.1 and whose DirsAllowed is that folder only; stopped at the end.
  A new database's administrator is dba with password dba (Virtuoso's own default, never used outside the test).
- Jena (Debian's libapache-jena-java, which ships the TDB2 jars and command-line tools but no Fuseki): in one JVM
  started through JPype, the graph is bulk loaded into a TDB2 database and each query run through ARQ (the engine
  behind tdb2.tdbquery); a JVM per query (the tools) cost about a minute a session.
- An Oxigraph server (pip install oxigraph).
Each fixture skips, saying why, where its server is not installed.
"""

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exmech.cli import app
from exmech.graph.catalogue import catalogue
from exmech.graph.load import load_graph
from exmech.stores.endpoint import parse_results
from exmech.stores.rows import Rows, inline_bindings

runner = CliRunner()
GRAPH = "https://w3id.org/exmech/dataset"
VIRTUOSO = shutil.which("virtuoso-t")
JENA_JARS = Path("/usr/share/java")
OXIGRAPH = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
VIRTUOSO_INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
DirsAllowed = {d}{dirs}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}
ServerThreads = 4
[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = {max_seconds}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen, what: str, seconds: float = 90) -> None:
    deadline = time.time() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            if time.time() > deadline or proc.poll() is not None:
                pytest.fail(f"{what} did not start (exit code {proc.poll()})")
            time.sleep(0.3)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def virtuoso_server(
    folder: Path,
    buffers: int = 10000,
    dirty: int = 6000,
    dirs: tuple[Path, ...] = (),
    max_rows: int = 100000,
    max_seconds: int = 60,
) -> Iterator[tuple[str, int]]:
    """A new Virtuoso database in folder on free 127.0.0.1 ports: yields (its HTTP base URL, its SQL port for
    isql-vt) and stops it afterwards. buffers/dirty: NumberOfBuffers/MaxDirtyBuffers (8 KiB pages; Virtuoso's
    guide: 170000/130000 for 2 GB); dirs: other folders its bulk loader (ld_dir) may read."""
    sql, http = free_port(), free_port()
    allowed = "".join(f", {d}" for d in dirs)
    ini = VIRTUOSO_INI.format(
        d=folder,
        sql=sql,
        http=http,
        dirs=allowed,
        buffers=buffers,
        dirty=dirty,
        max_rows=max_rows,
        max_seconds=max_seconds,
    )
    (folder / "virtuoso.ini").write_text(ini, "utf-8")
    proc = subprocess.Popen(
        [str(VIRTUOSO), "+configfile", str(folder / "virtuoso.ini"), "+foreground"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{http}"
    try:
        wait_until_up(f"{base}/sparql?query=ASK%7B%7D", proc, "Virtuoso")
        yield base, sql
    finally:
        stop(proc)


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory):
    """Virtuoso's base URL (http://127.0.0.1:PORT), with the shipped graph pushed into GRAPH by `exmech push`."""
    if VIRTUOSO is None:
        pytest.skip(
            "Virtuoso is not installed (Debian: apt-get install virtuoso-opensource; .ci/run does it)"
        )
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as (base, _):
        pushed = runner.invoke(
            app,
            ["push", "--to", f"{base}/sparql-graph-crud-auth", "--graph", GRAPH, "--user", "dba"],
            env={"EXMECH_PASSWORD": "dba"},
        )
        assert pushed.exit_code == 0, pushed.output
        yield base


@pytest.fixture(scope="session")
def virtuoso_capped(tmp_path_factory):
    """A second, empty Virtuoso whose ResultSetMaxRows is 10 (its own system graphs hold far more triples): its
    base URL, for the partial-answer checks. No push, so it costs only its start."""
    if VIRTUOSO is None:
        pytest.skip(
            "Virtuoso is not installed (Debian: apt-get install virtuoso-opensource; .ci/run does it)"
        )
    with virtuoso_server(
        tmp_path_factory.mktemp("virtuoso-capped"), buffers=2000, dirty=1200, max_rows=10
    ) as (
        base,
        _,
    ):
        yield base


def _jena_classpath(folder: Path) -> str:
    """Debian's Jena jars and their dependencies; plus the Xerces message files Debian's jena-core keeps under
    another package name than its relocated Xerces classes look for (without them Jena fails to start with
    'internal error' in XSSimpleTypeDecl)."""
    fix = folder / "xerces-messages"
    with zipfile.ZipFile(JENA_JARS / "jena-core.jar") as jar:
        for name in jar.namelist():
            if name.startswith("org/apache/jena/ext/xerces/") and name.endswith(".properties"):
                target = fix / name.removeprefix("org/apache/jena/ext/")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    jars = [
        p for p in sorted(JENA_JARS.glob("jena-*.jar")) if not re.search(r"-\d", p.name)
    ]  # unversioned links
    deps = "commons-cli commons-codec commons-compress commons-csv commons-io commons-lang3 dexx.collection gson "
    deps += "guava httpclient httpcore jackson-core jackson-databind jackson-annotations jakarta.json-api "
    deps += "jsonld-java protobuf slf4j-api slf4j-nop thrift titanium-json-ld"
    jars += [JENA_JARS / f"{d}.jar" for d in deps.split() if (JENA_JARS / f"{d}.jar").exists()]
    return os.pathsep.join([*map(str, jars), str(fix)])


class JenaTDB2:
    """A TDB2 database in one long-lived JVM (JPype), filled by TDB2's phased bulk loader (tdb2.tdbloader's
    default on an empty database); select() runs a query through ARQ, the engine tdb2.tdbquery runs, in a read
    transaction, parsed as standard SPARQL 1.1 (stricter than tdbquery's default ARQ syntax), answered as SPARQL
    JSON. One JVM for the session instead of one a query: a JVM cannot be restarted in a process."""

    def __init__(self, folder: Path, classpath: str):
        import jpype  # the dev extra; the fixture skips before this where it is missing

        if not jpype.isJVMStarted():
            jpype.startJVM(classpath=classpath.split(os.pathsep), convertStrings=False)
        self.jpype, self.folder = jpype, folder
        self.dataset = jpype.JClass("org.apache.jena.tdb2.TDB2Factory").connectDataset(str(folder / "tdb2"))

    def load(self, nt_file: Path) -> None:
        loaders = self.jpype.JClass("org.apache.jena.tdb2.loader.LoaderFactory")
        log = self.jpype.JClass("org.apache.jena.tdb2.loader.base.LoaderOps").outputToLog()
        loader = loaders.phasedLoader(self.dataset.asDatasetGraph(), None, log)
        loader.startBulk()
        loader.load([str(nt_file)])
        loader.finishBulk()

    def select(self, text: str) -> Rows:
        java = self.jpype.JClass
        query = java("org.apache.jena.query.QueryFactory").create(
            text, java("org.apache.jena.query.Syntax").syntaxSPARQL_11
        )
        out = java("java.io.ByteArrayOutputStream")()
        self.dataset.begin(java("org.apache.jena.query.TxnType").READ)
        try:
            with java("org.apache.jena.query.QueryExecutionFactory").create(query, self.dataset) as execution:
                java("org.apache.jena.query.ResultSetFormatter").outputAsJSON(out, execution.execSelect())
        finally:
            self.dataset.end()
        result = parse_results(bytes(out.toByteArray()), "application/json", "Jena")
        variables = result.vars or []
        return Rows([str(v) for v in variables], [[r.get(v) for v in variables] for r in result.bindings])

    def close(self) -> None:
        self.jpype.JClass("org.apache.jena.tdb2.sys.TDBInternal").expel(self.dataset.asDatasetGraph())


def _jena_missing() -> str | None:
    """Why Jena cannot run here, or None."""
    if not (JENA_JARS / "jena-tdb2.jar").exists():
        return "Jena is not installed (Debian: apt-get install libapache-jena-java; .ci/run does it)"
    try:
        import jpype
    except ImportError:
        return "JPype is not installed (pip install JPype1, in the dev extra)"
    try:
        jpype.getDefaultJVMPath()
    except jpype.JVMNotFoundException:
        return (
            "no Java runtime found for JPype (Debian: apt-get install default-jre-headless; or set JAVA_HOME)"
        )
    return None


@pytest.fixture(scope="session")
def jena(tmp_path_factory):
    """Every packaged SELECT with its defaults written in, answered by Jena TDB2: {name: Rows}."""
    if why := _jena_missing():
        pytest.skip(why)
    folder = tmp_path_factory.mktemp("jena")
    store = JenaTDB2(folder, _jena_classpath(folder))
    try:
        load_graph().serialize(destination=folder / "graph.nt", format="nt", encoding="utf-8")
        store.load(folder / "graph.nt")
        selects = {name: q for name, q in catalogue().items() if q.form == "SELECT"}
        return {name: store.select(inline_bindings(q.text, q.bindings({}))) for name, q in selects.items()}
    finally:
        store.close()


@contextlib.contextmanager
def oxigraph_server(folder: Path, *push_args: str) -> Iterator[str]:
    """An Oxigraph server on a free 127.0.0.1 port, the shipped graph pushed into it (`exmech push` with
    push_args, e.g. --graph IRI); yields its base URL and stops it afterwards."""
    if not Path(OXIGRAPH).exists():
        pytest.skip("the Oxigraph server is not installed (pip install oxigraph, in the dev extra)")
    port = free_port()
    proc = subprocess.Popen(
        [OXIGRAPH, "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/query?query=ASK%7B%7D", proc, "The Oxigraph server")
        pushed = runner.invoke(app, ["push", "--to", f"{base}/store", *push_args])
        assert pushed.exit_code == 0, pushed.output
        yield base
    finally:
        stop(proc)


@pytest.fixture(scope="session")
def oxigraph_named(tmp_path_factory):
    """An Oxigraph server's base URL, with the shipped graph pushed into the named graph GRAPH only."""
    with oxigraph_server(tmp_path_factory.mktemp("oxn"), "--graph", GRAPH) as base:
        yield base
