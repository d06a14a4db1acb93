"""Shared fixtures: the sample district, loaded once per test session, and the
GeoPackage validator."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import geopandas as gpd
import pytest
from hypothesis import settings
from shapely import box

import landasset as la

# Tests never assert on wall time: a property's examples may take as long as a loaded
# machine needs (hypothesis' default 200 ms deadline would fail correct code there).
settings.register_profile("landasset", deadline=None)
settings.load_profile("landasset")


@pytest.fixture(scope="session")
def sample_site() -> la.Site:
    """The bundled Yunqi sample district."""
    return la.sample.load("yunqi")


@pytest.fixture
def square_parcels() -> gpd.GeoDataFrame:
    """Three 100 m × 100 m parcels in EPSG:4549 near Hangzhou."""
    x0, y0 = 514_000.0, 3_350_000.0
    return gpd.GeoDataFrame(
        {
            "parcel_id": ["A-01", "A-02", "A-03"],
            "land_use": ["M1", "100101", "B2"],
            "far_max": [2.0, 2.5, 4.0],
            "name": ["一号地块", "二号地块", "三号地块"],
        },
        geometry=[box(x0 + 100 * i, y0, x0 + 100 * (i + 1), y0 + 100) for i in range(3)],
        crs="EPSG:4549",
    )


# -- the GeoPackage validator -----------------------------------------------------------

HAS_VALIDATOR = importlib.util.find_spec("osgeo_utils") is not None


def _validate_gpkg(path: Path) -> str:
    """Run GDAL's ``validate_gpkg`` (gdal-utils) on ``path``; return its report.

    Strict: the extra checks run and a warning counts as an error. The validator runs
    in a child process, so nothing the test holds open can hide a problem. Without
    gdal-utils the test is skipped, except under CI, where ``make test`` installs it and
    its absence is a failure.
    """
    if not HAS_VALIDATOR:
        message = "osgeo_utils (gdal-utils) is not installed, cannot run validate_gpkg"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "osgeo_utils.samples.validate_gpkg",
            "-v",
            "--extra",
            "--warning-as-error",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Req " not in done.stdout and "Warning" not in done.stdout, done.stdout
    assert "Checking gpkg_contents" in done.stdout, done.stdout  # it read the file
    return done.stdout


@pytest.fixture(scope="session")
def validate_gpkg() -> Callable[[Path], str]:
    """``validate_gpkg(path)``: the file passes GDAL's strict GeoPackage validator; its
    verbose report is returned (skipped without gdal-utils, a failure under CI)."""
    return _validate_gpkg


# -- a throwaway PostgreSQL/PostGIS cluster (tests/postgis, the ledger tests' postgres runs) --
class PgCluster:
    """A PostgreSQL cluster in a temporary folder, reached on a unix socket only, with
    trust authentication (no password, nothing on the network). As root it runs as the
    ``postgres`` system user (or ``nobody``): PostgreSQL refuses to run as root."""

    def __init__(self, bindir: Path, folder: Path) -> None:
        import pwd

        self.bindir = bindir
        self.folder = folder
        self.data = folder / "data"
        self.socket = folder / "sock"
        self.socket.mkdir()
        self.runas: str | None = None
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            for name in ("postgres", "nobody"):
                try:
                    entry = pwd.getpwnam(name)
                except KeyError:
                    continue
                self.runas = name
                for p in (folder, self.socket):
                    os.chown(p, entry.pw_uid, entry.pw_gid)
                break
        self.counter = 0

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.runas is not None:
            cmd = ["runuser", "-u", self.runas, "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, check=check, timeout=120)

    def init(self) -> None:
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
            "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip

    def start(self) -> None:
        opts = (
            f"-k {self.socket} -c listen_addresses='' -c fsync=off -c full_page_writes=off "
            "-c max_connections=60 -c shared_buffers=64MB"
        )
        done = self._run(
            "pg_ctl", "-w", "-t", "60", "-D", str(self.data), "-l", str(self.folder / "log"),
            "-o", opts, "start", check=False,
        )  # fmt: skip
        if done.returncode != 0:
            log = (self.folder / "log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"pg_ctl start failed: {done.stderr}\n{log}")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def kill(self) -> None:
        """SIGKILL the server and every backend at once (a machine-level crash of the
        server, not a shutdown), then clear their lock files for the next start."""
        import signal
        import time

        postmaster = self.postmaster_pid()
        children = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(postmaster)], capture_output=True, text=True
        ).stdout.split()
        for pid in [postmaster, *map(int, children)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and Path(f"/proc/{postmaster}").exists():
            time.sleep(0.05)
        (self.data / "postmaster.pid").unlink(missing_ok=True)
        for lock in self.socket.glob(".s.PGSQL.*"):
            lock.unlink(missing_ok=True)

    def postmaster_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def url(self, dbname: str = "postgres", user: str = "postgres") -> str:
        return f"postgresql://{user}@/{dbname}?host={self.socket}"

    def sql(self, statement: str, dbname: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(
            f"dbname={dbname} user=postgres host={self.socket}", autocommit=True
        ) as con:
            con.execute(statement)

    def new_database(self, template: str = "landasset_template") -> str:
        self.counter += 1
        name = f"t{os.getpid()}_{self.counter}"
        self.sql(f"CREATE DATABASE {name} TEMPLATE {template}")
        return name


def _pg_bindir() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if found:
        return found[-1].parent
    import shutil

    which = shutil.which("initdb")
    return Path(which).parent if which else None


def _pg_missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI needs PostgreSQL and PostGIS for these tests: {reason}")
    pytest.skip(reason)


def make_pg_cluster(folder: Path) -> PgCluster:
    """Start a cluster with a ``landasset_template`` database holding PostGIS."""
    if importlib.util.find_spec("psycopg") is None:
        _pg_missing("psycopg is not installed (pip install 'landasset[postgis]')")
    bindir = _pg_bindir()
    if bindir is None:
        _pg_missing("PostgreSQL's initdb is not installed (apt-get install postgresql)")
    assert bindir is not None
    share = Path(str(bindir).replace("/lib/", "/share/")).parent / "extension"
    if not (share / "postgis.control").exists() and not list(
        Path("/usr/share/postgresql").glob("*/extension/postgis.control")
    ):
        _pg_missing("the PostGIS extension is not installed (apt-get install postgresql-postgis)")
    cluster = PgCluster(bindir, folder)
    cluster.init()
    cluster.start()
    cluster.sql("CREATE DATABASE landasset_template")
    cluster.sql("CREATE EXTENSION postgis", dbname="landasset_template")
    return cluster


def _throwaway_cluster() -> Iterator[PgCluster]:
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="lapg"))  # short: a socket path has 107 bytes
    cluster = None
    try:
        cluster = make_pg_cluster(folder)
        yield cluster
    finally:
        if cluster is not None:
            cluster.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """One cluster for the test session (per xdist worker)."""
    yield from _throwaway_cluster()


@pytest.fixture
def pg_killable() -> Iterator[PgCluster]:
    """A cluster of the test's own, for a test that kills its server."""
    yield from _throwaway_cluster()


@pytest.fixture
def pg_url(pg_cluster: PgCluster) -> str:
    """The URL of a fresh database (PostGIS installed) in the session's cluster."""
    return pg_cluster.url(pg_cluster.new_database())
