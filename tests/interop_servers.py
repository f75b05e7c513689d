"""Third-party triple stores started here on 127.0.0.1, once per test session, for tests/test_interop.py.

- Virtuoso (Debian's virtuoso-opensource): a new database in a temporary folder, from a minimal virtuoso.ini whose
  SQL and HTTP ports are free ports on 127.0.0.1 and whose DirsAllowed is that folder only; stopped at the end.
  A new database's administrator is dba with password dba (Virtuoso's own default, never used outside the test).
- Jena (Debian's libapache-jena-java, which ships the TDB2 command-line tools but no Fuseki): the graph is bulk
  loaded with tdb2.tdbloader and each query run with tdb2.tdbquery, the store's own query tool.
- An Oxigraph server (pip install oxigraph).
Each fixture skips, saying why, where its server is not installed.
"""

import contextlib
import os
import queue
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
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
    """A TDB2 database filled by tdb2.tdbloader; select() runs a query through tdb2.tdbquery (JSON results).
    A TDB2 database takes one process at a time, so each of the `copies` is used by one query at a time."""

    def __init__(self, folder: Path, classpath: str, copies: int = 2):
        self.folder, self.classpath, self.copies = folder, classpath, copies
        self.free: queue.Queue[Path] = queue.Queue()

    def _java(self, tool: str, location: Path, *args: str) -> bytes:
        done = subprocess.run(
            ["java", "-cp", self.classpath, tool, "--loc", str(location), *args],
            capture_output=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr.decode()[-2000:]
        return done.stdout

    def load(self, nt_file: Path) -> None:
        first = self.folder / "tdb2-0"
        self._java("tdb2.tdbloader", first, str(nt_file))
        self.free.put(first)
        for number in range(1, self.copies):
            shutil.copytree(first, self.folder / f"tdb2-{number}")
            self.free.put(self.folder / f"tdb2-{number}")

    def select(self, text: str) -> Rows:
        location = self.free.get()
        try:
            body = self._java("tdb2.tdbquery", location, "--results=json", text)
        finally:
            self.free.put(location)
        result = parse_results(body, "application/json", "Jena")
        variables = result.vars or []
        return Rows([str(v) for v in variables], [[r.get(v) for v in variables] for r in result.bindings])


@pytest.fixture(scope="session")
def jena(tmp_path_factory):
    """Every packaged SELECT with its defaults written in, answered by Jena TDB2: {name: Rows}."""
    if not (JENA_JARS / "jena-tdb2.jar").exists() or shutil.which("java") is None:
        pytest.skip("Jena is not installed (Debian: apt-get install libapache-jena-java; .ci/run does it)")
    folder = tmp_path_factory.mktemp("jena")
    store = JenaTDB2(folder, _jena_classpath(folder))
    load_graph().serialize(destination=folder / "graph.nt", format="nt", encoding="utf-8")
    store.load(folder / "graph.nt")
    selects = {name: q for name, q in catalogue().items() if q.form == "SELECT"}
    with ThreadPoolExecutor(max_workers=2) as pool:  # one JVM a query; two at a time on a 2-core machine
        texts = {name: inline_bindings(q.text, q.bindings({})) for name, q in selects.items()}
        answers = dict(zip(texts, pool.map(store.select, texts.values()), strict=True))
    return answers


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
