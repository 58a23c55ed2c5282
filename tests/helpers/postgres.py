"""A PostgreSQL server for the team-mode tests, with no setup asked of the developer.

Order of preference:

1. ``YOUTHCASE_TEST_PG_URL`` (any SQLAlchemy/libpq URL of a role that may CREATE DATABASE):
   lets a developer or CI point the tests at a server they already run.
2. A throwaway cluster made with the local ``initdb``/``pg_ctl`` (on PATH, or Debian's
   ``/usr/lib/postgresql/*/bin``) in a temp dir, listening on 127.0.0.1 and a free port only,
   with trust auth on loopback; fsync is off because the data is thrown away anyway.
3. Nothing: the caller skips, or fails when ``YOUTHCASE_REQUIRE_PG=1`` (CI), so that a
   missing server can never silently turn the team-mode tests green.

Each test gets its own empty database (``temporary_database``), so tests never see each
other's rows and can run in any order.
"""

# Commands are built from constants and paths found here; /tmp is a deliberate fallback.
# ruff: noqa: S603, S108

from __future__ import annotations

import atexit
import contextlib
import os
import shlex
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import URL, make_url

ENV_URL = "YOUTHCASE_TEST_PG_URL"
ENV_REQUIRE = "YOUTHCASE_REQUIRE_PG"
# initdb refuses to run as root, so as root the cluster belongs to this system user.
PG_SYSTEM_USER = "youthcase-pg"
SUPERUSER = "postgres"
DRIVER = "postgresql+psycopg"


class PostgresUnavailable(RuntimeError):
    """No server could be had; the message says why (shown in the skip/failure)."""


def require_postgres() -> bool:
    """Whether a missing server is an error (CI) rather than a reason to skip (laptops)."""
    return os.environ.get(ENV_REQUIRE, "") == "1"


def skip_or_fail(reason: str) -> NoReturn:
    """Skip the test, or fail it loudly where a server is required (CI)."""
    if require_postgres():
        pytest.fail(f"PostgreSQL required ({ENV_REQUIRE}=1) but unavailable: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL unavailable: {reason}")


def to_sqlalchemy_url(url: str | URL) -> URL:
    """Normalise any ``postgres[ql][+driver]://`` URL to the psycopg 3 driver the app uses."""
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.get_backend_name() != "postgresql":
        raise PostgresUnavailable(f"{ENV_URL} is not a PostgreSQL URL: {parsed!r}")
    return parsed.set(drivername=DRIVER)


def render(url: URL) -> str:
    return url.render_as_string(hide_password=False)


def libpq_conninfo(url: URL) -> str:
    """The same URL in the form psycopg.connect() takes (no ``+driver`` suffix)."""
    return render(url.set(drivername="postgresql"))


def find_pg_bin_dir() -> Path | None:
    """Directory holding both initdb and pg_ctl (and hence postgres), newest version first."""
    candidates: list[Path] = []
    on_path = shutil.which("initdb")
    if on_path:
        # /usr/local/bin/initdb may be a symlink; pg_ctl needs the real dir to find postgres.
        candidates.append(Path(on_path).resolve().parent)
        candidates.append(Path(on_path).parent)
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else -1,
        reverse=True,
    )
    candidates.extend(debian)
    suffix = ".exe" if os.name == "nt" else ""
    for directory in candidates:
        if (directory / f"initdb{suffix}").exists() and (directory / f"pg_ctl{suffix}").exists():
            return directory
    return None


def free_port() -> int:
    """A currently unused loopback port (there is a tiny race; start_cluster retries)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def ensure_system_user() -> None:
    """Create the unprivileged owner of the throwaway cluster (only ever needed as root)."""
    if _user_exists(PG_SYSTEM_USER):
        return
    useradd = shutil.which("useradd")
    if useradd is None:
        raise PostgresUnavailable("running as root, but `useradd` is missing to make a user")
    result = subprocess.run(
        [useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", PG_SYSTEM_USER],
        capture_output=True,
        text=True,
        check=False,
    )
    # Exit code 9: created meanwhile by a parallel test process; that is fine.
    if result.returncode not in (0, 9) or not _user_exists(PG_SYSTEM_USER):
        raise PostgresUnavailable(f"useradd {PG_SYSTEM_USER} failed: {result.stderr.strip()}")


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _world_traversable(path: Path) -> bool:
    """Whether another user can reach ``path`` (every ancestor has the o+x bit)."""
    return all(p.stat().st_mode & 0o001 for p in [path, *path.parents])


def _as_cluster_owner(cmd: list[str]) -> list[str]:
    """Prefix ``cmd`` so it runs as PG_SYSTEM_USER when we are root, else unchanged."""
    if not running_as_root():
        return cmd
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", PG_SYSTEM_USER, "--", *cmd]
    su = shutil.which("su")
    if su:
        return [su, "-s", "/bin/sh", PG_SYSTEM_USER, "-c", shlex.join(cmd)]
    raise PostgresUnavailable("running as root, but neither `runuser` nor `su` is available")


@dataclass
class LocalCluster:
    """A throwaway cluster; ``stop()`` is idempotent and also registered with atexit."""

    bin_dir: Path
    base_dir: Path
    port: int = 0
    _running: bool = field(default=False, repr=False)

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def log_file(self) -> Path:
        return self.base_dir / "postgres.log"

    @property
    def url(self) -> URL:
        return URL.create(DRIVER, username=SUPERUSER, host="127.0.0.1", port=self.port, database="postgres")

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        cmd = _as_cluster_owner([str(self.bin_dir / args[0]), *args[1:]])
        try:
            return subprocess.run(cmd, cwd=self.base_dir, capture_output=True, text=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PostgresUnavailable(f"{args[0]} could not run: {exc}") from exc

    def _log_tail(self) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-15:])
        except OSError:
            return "(no server log)"

    def init(self) -> None:
        result = self._run(
            "initdb", "-D", str(self.data_dir), "-U", SUPERUSER, "--auth=trust",
            "--encoding=UTF8", "--no-locale", "--no-sync",
        )  # fmt: skip
        if result.returncode != 0:
            raise PostgresUnavailable(f"initdb failed:\n{result.stdout}{result.stderr}")
        # Only loopback may connect; trust is then harmless and needs no passwords.
        (self.data_dir / "pg_hba.conf").write_text(
            "local all all trust\nhost all all 127.0.0.1/32 trust\n", encoding="utf-8"
        )

    def start(self) -> None:
        for _attempt in range(3):
            self.port = free_port()
            options = (
                f"-c listen_addresses=127.0.0.1 -c port={self.port} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            )
            if os.name != "nt":  # sockets in our private dir, not the shared /var/run/postgresql
                options += f" -c unix_socket_directories='{self.base_dir}'"
            result = self._run(
                "pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_file),
                "-o", options, "-w", "-t", "30", "start",
            )  # fmt: skip
            if result.returncode == 0:
                self._running = True
                atexit.register(self.stop)
                return
        raise PostgresUnavailable(f"pg_ctl start failed:\n{result.stdout}{result.stderr}\n{self._log_tail()}")

    def stop(self) -> None:
        if self._running:
            self._running = False
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.base_dir, ignore_errors=True)


def start_local_cluster() -> LocalCluster:
    """initdb + pg_ctl start in a fresh temp dir; raises PostgresUnavailable with the reason."""
    bin_dir = find_pg_bin_dir()
    if bin_dir is None:
        raise PostgresUnavailable(
            f"no {ENV_URL} set and no initdb/pg_ctl found on PATH or in /usr/lib/postgresql/*/bin"
        )
    tmp_root = Path(tempfile.gettempdir())
    if running_as_root():
        ensure_system_user()
        if not _world_traversable(tmp_root):
            tmp_root = Path("/tmp")  # the cluster owner must be able to reach its directory
    base_dir = Path(tempfile.mkdtemp(prefix="youthcase-pg-", dir=tmp_root))
    if running_as_root():
        shutil.chown(base_dir, user=PG_SYSTEM_USER, group=None)
    cluster = LocalCluster(bin_dir=bin_dir, base_dir=base_dir)
    try:
        cluster.init()
        cluster.start()
    except BaseException:
        cluster.stop()
        raise
    return cluster


@contextlib.contextmanager
def running_server() -> Iterator[str]:
    """Yield the base URL (``postgresql+psycopg://...``) of a reachable server.

    Raises PostgresUnavailable if none can be had; the fixture turns that into skip/fail.
    """
    configured = os.environ.get(ENV_URL, "").strip()
    if configured:
        url = to_sqlalchemy_url(configured)
        try:
            psycopg.connect(libpq_conninfo(url), connect_timeout=10).close()
        except psycopg.Error as exc:
            raise PostgresUnavailable(f"{ENV_URL} is set but unreachable: {exc}") from exc
        yield render(url)
        return
    cluster = start_local_cluster()
    try:
        yield render(cluster.url)
    finally:
        cluster.stop()


def _admin_connection(base_url: str) -> psycopg.Connection[tuple[object, ...]]:
    # CREATE/DROP DATABASE cannot run inside a transaction block.
    return psycopg.connect(libpq_conninfo(to_sqlalchemy_url(base_url)), autocommit=True)


def create_database(base_url: str) -> str:
    """Create a new empty database with a unique name; return its SQLAlchemy URL."""
    name = f"youthcase_test_{uuid.uuid4().hex[:16]}"
    with _admin_connection(base_url) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
    return render(to_sqlalchemy_url(base_url).set(database=name))


def drop_database(base_url: str, name: str) -> None:
    """Drop database ``name`` from ``base_url``'s server, first kicking out leftover sessions."""
    with _admin_connection(base_url) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
        # FORCE (PostgreSQL 13+) also covers a pool that reconnects between the two statements.
        force = " WITH (FORCE)" if conn.info.server_version >= 130000 else ""
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}" + force).format(sql.Identifier(name)))


@contextlib.contextmanager
def temporary_database(base_url: str) -> Iterator[str]:
    """A fresh empty database for the duration of the block, dropped afterwards."""
    url = create_database(base_url)
    try:
        yield url
    finally:
        drop_database(base_url, str(make_url(url).database))
