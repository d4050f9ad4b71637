"""Backups: `manage.py backup` and `manage.py restore` (`make backup`, `make restore`).

The round trip runs the commands as an operator would, in subprocesses, against scratch
PostgreSQL databases of their own (musqat_backup_src_…, musqat_backup_dst_…, dropped at the
end) and folders of their own: the demo is seeded into the source, backed up, restored into
a second database and folders, and both are compared table by table and file by file.

Needs PostgreSQL (DATABASE_URL=postgres://…, a user who may create databases) and its client
tools (pg_dump, pg_restore, psql). When one is missing those tests are skipped, unless
MUSQAT_REQUIRE_INTEGRATION=1 (as in CI), which makes them fail. The scratch databases are
reached with DATABASE_URL's password, or with a made-up one under trust authentication, so
that the tests can check where the password goes.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import random
import secrets
import shutil
import stat
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
from django.conf import settings

from musqat import backup

PROJECT = Path(__file__).resolve().parent.parent
TOOLS = ("pg_dump", "pg_restore", "psql")


# --- Is everything there? ---------------------------------------------------------------


def unavailable(reason: str):
    """Skip, or fail when the integration tests are required (CI)."""
    required = os.environ.get("MUSQAT_REQUIRE_INTEGRATION", "").strip().lower()
    if required in ("1", "true", "yes"):
        pytest.fail(f"MUSQAT_REQUIRE_INTEGRATION=1 but {reason}", pytrace=False)
    pytest.skip(f"integration tests skipped: {reason}")


class Server:
    """The PostgreSQL server of DATABASE_URL, where the scratch databases are made."""

    def __init__(self, database: dict):
        self.host = database["HOST"] or "localhost"
        self.port = str(database["PORT"] or 5432)
        self.user = database["USER"] or ""
        self.password = database["PASSWORD"] or f"trusted-{secrets.token_hex(6)}"
        self.created: list[str] = []

    def connect(self, name: str = "postgres"):
        connection = psycopg2.connect(
            dbname=name,
            user=self.user or None,
            password=self.password,
            host=self.host,
            port=self.port,
            connect_timeout=3,
        )
        connection.autocommit = True
        return contextlib.closing(connection)

    def url(self, name: str) -> str:
        credentials = f"{quote(self.user, safe='')}:{quote(self.password, safe='')}"
        return f"postgres://{credentials}@{self.host}:{self.port}/{name}"

    def create(self, role: str) -> str:
        name = f"musqat_backup_{role}_{secrets.token_hex(4)}"
        with self.connect() as connection, connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        self.created.append(name)
        return name

    def drop_all(self) -> None:
        with self.connect() as connection, connection.cursor() as cursor:
            for name in self.created:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def server():
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        unavailable(
            f"they need PostgreSQL, and the database is {database['ENGINE']} "
            "(set DATABASE_URL=postgres://…)"
        )
    missing = [tool for tool in TOOLS if not shutil.which(tool)]
    if missing:
        unavailable(f"{', '.join(missing)} missing (postgresql-client)")
    found = Server(database)
    try:
        with found.connect():
            pass
    except psycopg2.Error as error:
        unavailable(f"PostgreSQL cannot be reached: {str(error).strip()}")
    yield found
    found.drop_all()


# --- A site: a database and its two folders, driven through manage.py ------------------------


class Site:
    def __init__(self, server: Server, database: str, folder: Path, tools: Path):
        self.server = server
        self.database = database
        self.media = folder / "media"
        self.private = folder / "private"
        self.tools = tools
        self.output = ""  # what the last restore said

    def manage(self, *arguments, stdin=subprocess.DEVNULL, input=None, timeout=180):
        environment = dict(
            os.environ,
            DEBUG="1",
            DATABASE_URL=self.server.url(self.database),
            MEDIA_ROOT=str(self.media),
            PRIVATE_ROOT=str(self.private),
            MUSQAT_RENDER_PDFS="0",
            # Tasks run in process: the round trip needs no broker.
            CELERY_BROKER_URL="",
            PATH=f"{self.tools}{os.pathsep}{os.environ.get('PATH', '')}",
        )
        for variable in ("CACHE_URL", "PGPASSWORD"):
            environment.pop(variable, None)
        return subprocess.run(
            [sys.executable, "manage.py", *arguments],
            cwd=PROJECT,
            env=environment,
            stdin=None if input is not None else stdin,
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def run(self, *arguments, **options) -> str:
        done = self.manage(*arguments, **options)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def contents(self) -> dict:
        """Every table's row count (from information_schema's list) and a checksum of its
        rows, every sequence's position, and the SHA-256 of every file."""
        tables = {}
        with self.server.connect(self.database) as connection, connection.cursor() as cursor:
            cursor.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            )
            for (table,) in sorted(cursor.fetchall()):
                rows = f'SELECT t::text AS row FROM "{table}" t'
                cursor.execute(
                    f"SELECT count(*), md5(string_agg(row, '|' ORDER BY row)) FROM ({rows}) r"
                )
                tables[table] = cursor.fetchone()
            cursor.execute(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
            )
            sequences = dict(cursor.fetchall())
        return {
            "tables": tables,
            "sequences": sequences,
            "media": file_checksums(self.media),
            "private": file_checksums(self.private),
        }

    def execute(self, *statements: str) -> None:
        with self.server.connect(self.database) as connection, connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def file_checksums(root: Path) -> dict[str, str]:
    if not root.exists():
        return {}
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def tools(tmp_path_factory):
    """pg_dump, pg_restore and psql behind wrappers that write down each call (the tool, its
    arguments, the PGPASSWORD it was given) and then run the real tool."""
    folder = tmp_path_factory.mktemp("tools")
    log = folder / "calls.log"
    for tool in TOOLS:
        real = shutil.which(tool)
        if real is None:
            continue  # the server fixture says what is missing
        wrapper = folder / tool
        wrapper.write_text(
            "#!/bin/sh\n"
            f"printf '%s\\t%s\\t%s\\n' '{tool}' \"$*\" \"$PGPASSWORD\" >> '{log}'\n"
            f'exec "{real}" "$@"\n'
        )
        wrapper.chmod(0o755)
    return folder


@pytest.fixture(scope="module")
def source(server, tools, tmp_path_factory):
    """The demo, seeded into a scratch database and folders, with a few media files added
    (the demo, without PDFs, writes private files only)."""
    site = Site(server, server.create("src"), tmp_path_factory.mktemp("source"), tools)
    site.run("migrate", "--no-input", "-v", "0", timeout=300)
    site.run("seed_demo", timeout=300)
    (site.media / "pdf" / "2021").mkdir(parents=True)
    (site.media / "pdf" / "2021" / "telavi-ka.pdf").write_bytes(random.Random(1).randbytes(300_000))
    (site.media / "თელავი.txt").write_text("თელავის მუნიციპალიტეტი\n")
    (site.media / "empty").write_bytes(b"")
    return site


@pytest.fixture(scope="module")
def archive(source, tmp_path_factory):
    """`manage.py backup` of the seeded source, as `make backup` runs it."""
    folder = tmp_path_factory.mktemp("backups")
    output = source.run("backup", "--output", str(folder))
    (made,) = folder.glob("musqat-*.tar.gz")
    assert f"Backup written to {made}" in output
    return made


@pytest.fixture
def target(server, tools, tmp_path):
    """An empty scratch database and no folders yet."""
    return Site(server, server.create("dst"), tmp_path / "target", tools)


@pytest.fixture(scope="module")
def restored(server, tools, archive, tmp_path_factory):
    """The backup, restored with `manage.py restore --yes` into an empty scratch database and
    folders that do not exist yet."""
    site = Site(server, server.create("dst"), tmp_path_factory.mktemp("restored"), tools)
    site.output = site.run("restore", str(archive), "--yes")
    return site


# --- The round trip -----------------------------------------------------------------------


@pytest.mark.integration
def test_it_restores_the_seeded_demo_into_a_fresh_database_and_folders(source, restored):
    before = source.contents()
    assert len(before["tables"]) > 50
    assert sum(count for count, _checksum in before["tables"].values()) > 5000
    assert len(before["private"]) > 5 and len(before["media"]) == 3

    assert "every table's rows checked" in restored.output
    assert restored.contents() == before


@pytest.mark.integration
def test_it_keeps_archives_private_and_passwords_off_command_lines(archive, restored):
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    log = restored.tools / "calls.log"
    calls = [line.split("\t") for line in log.read_text().splitlines()]
    password = restored.server.password
    assert not [arguments for _tool, arguments, _given in calls if password in arguments]
    connecting = {
        tool: given
        for tool, arguments, given in calls
        if "--version" not in arguments and "--list" not in arguments
    }
    # pg_restore only turns the dump into SQL; psql runs it on the database.
    assert connecting == {"pg_dump": password, "pg_restore": "", "psql": password}


@pytest.mark.integration
def test_it_replaces_what_changed_since_the_backup(source, archive, target):
    target.run("restore", str(archive), "--yes")
    target.execute(
        "DELETE FROM assessments_indicatorscore WHERE id % 3 = 0",
        "UPDATE auth_user SET first_name = 'changed'",
        "CREATE TABLE made_after_the_backup (id integer)",
    )
    (target.media / "uploaded-after-the-backup.txt").write_text("new")
    next(target.private.rglob("*.pdf")).unlink()
    # A restore killed two days ago left its staging folder behind.
    killed = target.private / f"{backup.STAGING_PREFIX}0badc0de"
    (killed / "half").mkdir(parents=True)
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(killed, (two_days_ago, two_days_ago))

    said = target.run("restore", str(archive), "--yes")

    assert target.contents() == source.contents()
    assert not killed.exists()
    assert f"Removed 1 folder left by a restore that was stopped: {killed}." in said


# --- Refusals that change nothing ---------------------------------------------------------


def truncated(archive: Path, into: Path) -> Path:
    damaged = into / "truncated.tar.gz"
    data = archive.read_bytes()
    damaged.write_bytes(data[: len(data) * 2 // 3])
    return damaged


def with_a_changed_file(archive: Path, into: Path) -> Path:
    """A well-formed archive whose private file no longer matches the manifest."""
    damaged = into / "changed.tar.gz"
    with tarfile.open(archive) as original, tarfile.open(damaged, "w:gz") as copy:
        for member in original:
            data = original.extractfile(member).read()
            if member.name.startswith("private/"):
                data += b"forged"
                member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
    return damaged


@pytest.mark.integration
@pytest.mark.parametrize(
    ("damage", "said"),
    [(truncated, "is damaged"), (with_a_changed_file, "does not match its checksum")],
)
def test_it_refuses_a_damaged_archive_and_changes_nothing(source, archive, tmp_path, damage, said):
    before = source.contents()

    refused = source.manage("restore", str(damage(archive, tmp_path)), "--yes")

    assert refused.returncode != 0
    assert said in refused.stderr and "nothing was changed" in refused.stderr
    assert source.contents() == before
    assert not list(source.media.glob(f"{backup.STAGING_PREFIX}*"))


@pytest.mark.integration
def test_it_asks_before_replacing_and_stops_without_a_yes(source, archive):
    before = source.contents()

    answered_no = source.manage("restore", str(archive), input="no\n")
    no_answer = source.manage("restore", str(archive))

    for refused in (answered_no, no_answer):
        assert refused.returncode != 0
        assert "This replaces" in refused.stdout and source.database in refused.stdout
        assert "Restore cancelled; nothing was changed." in refused.stderr
    assert source.contents() == before


@pytest.mark.integration
def test_it_says_so_when_there_is_no_backup_at_the_path(source, tmp_path):
    refused = source.manage("restore", str(tmp_path / "musqat-missing.tar.gz"), "--yes")

    assert refused.returncode != 0
    assert "There is no backup at" in refused.stderr


# --- Archives that try to write outside their folders (no database needed) ----------------


@pytest.mark.parametrize(
    "name", ["media/../../escaped.txt", "/etc/escaped.txt", "elsewhere/escaped.txt"]
)
def test_it_refuses_an_archive_member_outside_media_and_private(tmp_path, name):
    crafted = tmp_path / "crafted.tar.gz"
    with tarfile.open(crafted, "w:gz") as archive:
        info = tarfile.TarInfo(name)
        info.size = 3
        archive.addfile(info, io.BytesIO(b"bad"))
    site = backup.Site(
        alias="default", folders={"media": tmp_path / "m" / "media", "private": tmp_path / "p"}
    )
    scratch = tmp_path / "scratch"
    scratch.mkdir()

    with pytest.raises(backup.BackupError, match="unexpected member"):
        backup.unpack(crafted, site=site, scratch=scratch)

    assert not list(tmp_path.rglob("escaped.txt"))
    assert not (tmp_path / "m").exists() and not (tmp_path / "p").exists()


def test_a_restore_removes_only_the_staging_folders_of_restores_stopped_a_day_ago(tmp_path):
    site = backup.Site(
        alias="default", folders={"media": tmp_path / "media", "private": tmp_path / "private"}
    )
    now = time.time()
    old = tmp_path / "media" / f"{backup.STAGING_PREFIX}old"
    recent = tmp_path / "private" / f"{backup.STAGING_PREFIX}running"
    kept = tmp_path / "media" / "scorecards"
    for folder in (old / "a", recent / "b", kept):
        folder.mkdir(parents=True)
    os.utime(old, (now - 25 * 3600, now - 25 * 3600))
    os.utime(recent, (now - 23 * 3600, now - 23 * 3600))

    removed = backup.remove_leftovers(site, now=now)

    assert removed == [old]
    assert not old.exists() and recent.exists() and kept.exists()
    # A site whose folders do not exist yet has nothing to remove.
    assert backup.remove_leftovers(backup.Site("default", {"media": tmp_path / "none"})) == []
