"""Backups: the database and the uploaded files (MEDIA_ROOT, PRIVATE_ROOT) in one archive.

An archive is a gzipped tar of `database.dump` (`pg_dump --format=custom`) or
`database.sqlite3` (SQLite's online backup), the files under `media/` and `private/`, and
`manifest.json` last: when it was made, from which database, the migrations applied, the
rows of every table, and the size and SHA-256 of every file in it.

Restoring reads and checks the whole archive before it changes anything: every file is
extracted into a folder of its own inside the target folder and compared with the
manifest, and pg_restore must be able to read the dump. Then the database is replaced in
one transaction (tables the backup does not have are dropped in it too), the folders'
contents are swapped by renames, and the restored rows are counted against the manifest.

The password reaches pg_dump and psql through libpq's environment (PGPASSWORD), never
through their command lines, which `ps` shows to everyone on the machine.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.db.migrations.executor import MigrationExecutor

FORMAT = "musqat-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
POSTGRES_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
# A restore extracts next to the files it replaces, so that swapping them is a rename even
# when a folder is a mount point (a Docker volume); backups skip these folders.
STAGING_PREFIX = ".musqat-restore-"
CHUNK = 1024 * 1024
ENGINE_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
# What reading a damaged archive or manifest raises.
READ_ERRORS = (tarfile.TarError, EOFError, OSError, zlib.error, ValueError, KeyError, TypeError)


class BackupError(Exception):
    """What went wrong, in words for the person who ran the command."""


@dataclass(frozen=True)
class Site:
    """Where the site keeps its data: the database and the two folders of files."""

    alias: str
    folders: dict[str, Path]

    @classmethod
    def from_settings(cls) -> Site:
        return cls(
            alias="default",
            folders={"media": Path(settings.MEDIA_ROOT), "private": Path(settings.PRIVATE_ROOT)},
        )

    @property
    def database(self) -> Database:
        connection = connections[self.alias]
        if connection.vendor == "postgresql":
            return Postgres(connection)
        if connection.vendor == "sqlite":
            return SQLite(connection)
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {connection.vendor}.")


# --- The database --------------------------------------------------------------------------


def libpq_environment(database: dict) -> dict[str, str]:
    """The environment for pg_dump, pg_restore and psql: the process's own, with the
    connection settings of Django's database as libpq's variables."""
    environment = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if database.get(key):
            environment[variable] = str(database[key])
    for option, value in (database.get("OPTIONS") or {}).items():
        if option in ("sslmode", "sslrootcert", "sslcert", "sslkey", "passfile"):
            environment[f"PG{option.upper()}"] = str(value)
    # Quiet the NOTICEs of `DROP … IF EXISTS` on a fresh database; errors still show.
    environment["PGOPTIONS"] = "-c client_min_messages=warning"
    return environment


def pg_dump_command(dump: Path, snapshot: str) -> list[str]:
    """Everything pg_dump needs besides the connection, which comes from the environment."""
    return ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={dump}"]


def require(tool: str) -> None:
    if not shutil.which(tool):
        raise BackupError(
            f"{tool} is missing: install the PostgreSQL client tools (postgresql-client)."
        )


def tool_major_version(tool: str) -> int:
    """The major version of a PostgreSQL client tool ("pg_dump (PostgreSQL) 15.2" → 15)."""
    require(tool)
    output = subprocess.run([tool, "--version"], capture_output=True, text=True).stdout
    found = re.search(r"(\d+)(?:\.\d+)?", output)
    if not found:
        raise BackupError(f"Cannot tell the version of {tool} from {output.strip()!r}.")
    return int(found.group(1))


def count_rows(cursor, quote, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT count(*) FROM {quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def applied_migrations(cursor, tables) -> list[list[str]]:
    if "django_migrations" not in tables:
        return []
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [list(row) for row in cursor.fetchall()]


class Database:
    engine = ""
    member = ""

    def __init__(self, connection):
        self.connection = connection

    @property
    def name(self) -> str:
        return str(self.connection.settings_dict["NAME"])

    def where(self) -> str:
        return self.name

    def copy(self, into: Path) -> dict:
        """Write a consistent copy of the database to `into`; return its description."""
        raise NotImplementedError

    def check_tools(self) -> None:
        """Refuse to start a restore that could not finish: no server, no tools."""

    def check_restorable(self, copy: Path) -> None:
        """Refuse a copy that could not be restored, before anything is changed."""
        raise NotImplementedError

    def replace_with(self, copy: Path, tables: set[str]) -> None:
        raise NotImplementedError

    def tables(self) -> list[str]:
        with self.connection.cursor() as cursor:
            return sorted(
                table.name
                for table in self.connection.introspection.get_table_list(cursor)
                if table.type == "t"
            )

    def row_counts(self) -> dict[str, int]:
        tables = self.tables()
        with self.connection.cursor() as cursor:
            return count_rows(cursor, self.connection.ops.quote_name, tables)


class Postgres(Database):
    engine = "postgresql"
    member = POSTGRES_DUMP

    def where(self) -> str:
        settings_dict = self.connection.settings_dict
        host = settings_dict.get("HOST") or "local socket"
        port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
        return f"{self.name} on {host}{port}"

    def server_major(self) -> int:
        try:
            self.connection.ensure_connection()
        except DatabaseError as error:
            raise BackupError(f"Cannot connect to the database {self.where()}: {error}") from None
        return self.connection.pg_version // 10000

    def environment(self) -> dict[str, str]:
        return libpq_environment(self.connection.settings_dict)

    def copy(self, into: Path) -> dict:
        server = self.server_major()
        tool = tool_major_version("pg_dump")
        if tool < server:
            raise BackupError(
                f"pg_dump {tool} cannot dump a PostgreSQL {server} server: install "
                f"postgresql-client-{server} (the server's major version or newer)."
            )
        # One snapshot for the dump and the figures in the manifest: both describe the
        # same moment even while the site keeps writing.
        with transaction.atomic(using=self.connection.alias):
            with self.connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
                snapshot, version = cursor.fetchone()
                tables = self.tables()
                counts = count_rows(cursor, self.connection.ops.quote_name, tables)
                migrations = applied_migrations(cursor, tables)
            dumped = subprocess.run(
                pg_dump_command(into, snapshot),
                env=self.environment(),
                capture_output=True,
                text=True,
            )
        if dumped.returncode:
            raise BackupError(f"pg_dump failed: {dumped.stderr.strip()}")
        return {"server_version": version, "tables": counts, "migrations": migrations}

    def check_tools(self) -> None:
        server = self.server_major()
        require("psql")
        tool = tool_major_version("pg_restore")
        # A newer pg_restore writes settings an older server does not know (e.g.
        # transaction_timeout, from 17 on), and the restore would stop at them.
        if tool > server:
            raise BackupError(
                f"pg_restore {tool} is newer than the PostgreSQL {server} server: use the "
                f"client tools of version {server} (postgresql-client-{server})."
            )

    def check_restorable(self, copy: Path) -> None:
        listed = subprocess.run(["pg_restore", "--list", str(copy)], capture_output=True, text=True)
        if listed.returncode:
            raise BackupError(f"pg_restore cannot read the dump: {listed.stderr.strip()}")

    def replace_with(self, copy: Path, tables: set[str]) -> None:
        """pg_restore's script and the drops of tables the backup lacks, run by psql as one
        transaction: an error anywhere leaves the database as it was."""
        quote = self.connection.ops.quote_name
        extra = sorted(set(self.tables()) - tables)
        self.connection.close()
        script = ["BEGIN;"] + [f"DROP TABLE IF EXISTS {quote(table)} CASCADE;" for table in extra]
        with tempfile.TemporaryFile() as psql_errors, tempfile.TemporaryFile() as restore_errors:
            psql = subprocess.Popen(
                ["psql", "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--file=-"],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=psql_errors,
                env=self.environment(),
            )
            restore = subprocess.Popen(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    "--file=-",
                    str(copy),
                ],
                stdout=subprocess.PIPE,
                stderr=restore_errors,
            )
            try:
                # A broken pipe means psql stopped at an error; its message says which.
                with contextlib.suppress(BrokenPipeError):
                    psql.stdin.write(("\n".join(script) + "\n").encode())
                    shutil.copyfileobj(restore.stdout, psql.stdin, CHUNK)
                    if restore.wait() == 0:
                        psql.stdin.write(b"COMMIT;\n")
            finally:
                if restore.poll() is None:
                    restore.kill()
                restore.wait()
                restore.stdout.close()
                with contextlib.suppress(BrokenPipeError):
                    psql.stdin.close()
                psql.wait()
            if restore.returncode or psql.returncode:
                messages = []
                for tool, errors in (("pg_restore", restore_errors), ("psql", psql_errors)):
                    errors.seek(0)
                    text = errors.read().decode(errors="replace").strip()
                    if text:
                        messages.append(f"{tool}: {text[-2000:]}")
                raise BackupError(
                    "The database could not be restored, and was left as it was (the restore "
                    "runs in one transaction). " + " ".join(messages)
                )


class SQLite(Database):
    engine = "sqlite"
    member = SQLITE_COPY

    def copy(self, into: Path) -> dict:
        self.connection.ensure_connection()
        target = sqlite3.connect(into)
        try:
            self.connection.connection.backup(target)
            cursor = target.cursor()
            cursor.execute("SELECT sqlite_version()")
            version = cursor.fetchone()[0]
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
            tables = [row[0] for row in cursor.fetchall()]
            counts = count_rows(cursor, self.connection.ops.quote_name, tables)
            migrations = applied_migrations(cursor, tables)
        finally:
            target.close()
        return {"server_version": version, "tables": counts, "migrations": migrations}

    def check_restorable(self, copy: Path) -> None:
        copied = sqlite3.connect(copy)
        try:
            result = copied.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as error:
            raise BackupError(f"The SQLite copy cannot be read: {error}") from None
        finally:
            copied.close()
        if result != "ok":
            raise BackupError(f"The SQLite copy is damaged: {result}")

    def replace_with(self, copy: Path, tables: set[str]) -> None:
        """SQLite's backup API, backwards: every page of the database replaced at once."""
        self.connection.ensure_connection()
        source = sqlite3.connect(copy)
        try:
            source.backup(self.connection.connection)
        except sqlite3.Error as error:
            raise BackupError(f"The SQLite database could not be restored: {error}") from None
        finally:
            source.close()


# --- Making a backup -----------------------------------------------------------------------


class HashingReader:
    """A file read through once by tarfile, adding up its SHA-256 and size on the way."""

    def __init__(self, raw):
        self.raw = raw
        self.hash = hashlib.sha256()
        self.size = 0

    def read(self, size=-1):
        data = self.raw.read(size)
        self.hash.update(data)
        self.size += len(data)
        return data


def folder_files(root: Path) -> list[tuple[str, Path]]:
    """Every regular file under root, by its path relative to root (a restore's leftovers
    and symbolic links skipped)."""
    found = []
    if not root.is_dir():
        return found
    for folder, subfolders, files in os.walk(root):
        here = Path(folder)
        if here == root:
            subfolders[:] = [name for name in subfolders if not name.startswith(STAGING_PREFIX)]
        subfolders.sort()
        for name in sorted(files):
            path = here / name
            if path.is_file() and not path.is_symlink():
                found.append((path.relative_to(root).as_posix(), path))
    return found


def add_file(archive: tarfile.TarFile, name: str, path: Path) -> dict:
    stat = path.stat()
    info = tarfile.TarInfo(name)
    info.size = stat.st_size
    info.mtime = int(stat.st_mtime)
    info.mode = stat.st_mode & 0o777
    with path.open("rb") as raw:
        reader = HashingReader(raw)
        archive.addfile(info, reader)
    return {"bytes": reader.size, "sha256": reader.hash.hexdigest()}


def add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.datetime.now().timestamp())
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def create_backup(
    *, site: Site, into: Path, now: datetime.datetime | None = None
) -> tuple[Path, dict]:
    """Write one archive of the database and the folders into the folder `into`; return its
    path and its manifest. The archive is readable by its owner only (it holds password
    hashes and private files) and appears under its name only once it is complete."""
    now = now or datetime.datetime.now(datetime.UTC)
    database = site.database
    path = into / f"musqat-{now:%Y%m%d-%H%M%S}.tar.gz"
    if path.exists():
        raise BackupError(f"{path} exists already.")
    partial = path.with_name(f".{path.name}.partial")
    manifest = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "created_at": now.isoformat(timespec="seconds"),
        "database": {"engine": database.engine, "name": database.name},
        "folders": {},
    }
    with tempfile.TemporaryDirectory(prefix="musqat-backup-") as scratch:
        copy = Path(scratch) / database.member
        manifest["database"] |= database.copy(copy)
        into.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with (
                os.fdopen(descriptor, "wb") as output,
                tarfile.open(fileobj=output, mode="w:gz", compresslevel=6) as archive,
            ):
                manifest["database"] |= {"file": database.member} | add_file(
                    archive, database.member, copy
                )
                for folder, root in site.folders.items():
                    files = {
                        name: add_file(archive, f"{folder}/{name}", file)
                        for name, file in folder_files(root)
                    }
                    manifest["folders"][folder] = {
                        "count": len(files),
                        "bytes": sum(entry["bytes"] for entry in files.values()),
                        "files": files,
                    }
                add_bytes(
                    archive, MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False).encode()
                )
            partial.rename(path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return path, manifest


# --- Restoring -----------------------------------------------------------------------------


@dataclass
class Unpacked:
    """A checked archive, extracted beside what it replaces."""

    manifest: dict
    copy: Path
    staging: dict[str, Path]
    made: list[Path]  # folders that did not exist before, removed again if left empty

    def discard(self) -> None:
        for folder in self.staging.values():
            shutil.rmtree(folder, ignore_errors=True)
        for folder in self.made:
            with contextlib.suppress(OSError):
                folder.rmdir()


def member_place(name: str, folders) -> tuple[str, str] | None:
    """(folder, path inside it) for a file of media/ or private/; None for anything else.
    Absolute paths, `..` and empty parts are refused: nothing lands outside its folder."""
    parts = PurePosixPath(name).parts
    if len(parts) < 2 or parts[0] not in folders or name.startswith("/"):
        return None
    if any(part in ("", ".", "..") for part in parts[1:]) or "\\" in name:
        return None
    return parts[0], "/".join(parts[1:])


def extract_to(source, target: Path) -> dict:
    digest = hashlib.sha256()
    size = 0
    with target.open("xb") as output:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            output.write(chunk)
    return {"bytes": size, "sha256": digest.hexdigest()}


def unpack(path: Path, *, site: Site, scratch: Path) -> Unpacked:
    """Extract and check every member of the archive; raise BackupError, with everything
    extracted removed, unless it is complete and matches its manifest."""
    token = secrets.token_hex(4)
    staging = {folder: root / f"{STAGING_PREFIX}{token}" for folder, root in site.folders.items()}
    made = [
        folder
        for root in site.folders.values()
        for folder in (root, *root.parents)
        if not folder.exists()
    ]
    unpacked = Unpacked(manifest={}, copy=scratch / "database", staging=staging, made=made)
    found: dict[str, dict] = {}
    manifest_data = None
    try:
        for folder in staging.values():
            folder.mkdir(parents=True)
        with tarfile.open(path, mode="r|gz") as archive:
            for member in archive:
                if member.isdir():
                    continue
                repeated = member.name in found or (
                    member.name == MANIFEST and manifest_data is not None
                )
                if not member.isfile() or repeated:
                    raise BackupError(f"unexpected member {member.name!r}")
                source = archive.extractfile(member)
                if member.name == MANIFEST:
                    manifest_data = source.read()
                    continue
                if member.name in (POSTGRES_DUMP, SQLITE_COPY):
                    unpacked.copy = scratch / member.name
                    found[member.name] = extract_to(source, unpacked.copy)
                    continue
                place = member_place(member.name, staging)
                if place is None:
                    raise BackupError(f"unexpected member {member.name!r}")
                target = staging[place[0]] / place[1]
                target.parent.mkdir(parents=True, exist_ok=True)
                found[member.name] = extract_to(source, target)
                os.chmod(target, member.mode & 0o777 or 0o600)
                os.utime(target, (member.mtime, member.mtime))
        if manifest_data is None:
            raise BackupError(f"it has no {MANIFEST}")
        unpacked.manifest = manifest = json.loads(manifest_data)
        if not isinstance(manifest, dict) or (manifest.get("format"), manifest.get("version")) != (
            FORMAT,
            FORMAT_VERSION,
        ):
            raise BackupError(f"its {MANIFEST} is not that of a {FORMAT} {FORMAT_VERSION}")
        expected = {
            manifest["database"]["file"]: {
                "bytes": manifest["database"]["bytes"],
                "sha256": manifest["database"]["sha256"],
            }
        }
        for folder, entry in manifest["folders"].items():
            expected |= {f"{folder}/{name}": file for name, file in entry["files"].items()}
        if set(found) != set(expected):
            difference = sorted(set(found) ^ set(expected))
            raise BackupError(f"its files differ from its manifest: {', '.join(difference[:5])}")
        for name, entry in expected.items():
            if found[name] != entry:
                raise BackupError(f"{name} does not match its checksum in the manifest")
    except BackupError as error:
        unpacked.discard()
        raise BackupError(
            f"{path} is not a complete MUSQAT backup ({error}); nothing was changed."
        ) from None
    except READ_ERRORS as error:
        unpacked.discard()
        raise BackupError(
            f"{path} is damaged or not a MUSQAT backup ({error}); nothing was changed."
        ) from None
    except BaseException:
        unpacked.discard()
        raise
    return unpacked


# A restore that was killed (an interrupted one cleans up after itself) leaves its staging
# folders beside the files; the next restore removes those older than this, which no restore
# still running can own.
LEFTOVER_AGE = datetime.timedelta(days=1)


def remove_leftovers(site: Site, *, now: float | None = None) -> list[Path]:
    """Remove the staging folders of restores killed a day or more ago; return them."""
    now = time.time() if now is None else now
    removed = []
    for root in site.folders.values():
        if not root.is_dir():
            continue
        for entry in sorted(root.iterdir()):
            if not (entry.name.startswith(STAGING_PREFIX) and entry.is_dir()):
                continue
            if now - entry.stat().st_mtime >= LEFTOVER_AGE.total_seconds():
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
    return removed


def swap_in(root: Path, staging: Path) -> None:
    """Replace root's contents with staging's, by renames inside root (which may be a
    mount point, and so cannot itself be renamed)."""
    old = root / f"{STAGING_PREFIX}old-{secrets.token_hex(4)}"
    old.mkdir()
    for entry in root.iterdir():
        if not entry.name.startswith(STAGING_PREFIX):
            entry.rename(old / entry.name)
    for entry in staging.iterdir():
        entry.rename(root / entry.name)
    staging.rmdir()
    shutil.rmtree(old)


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def files(count: int) -> str:
    return plural(count, "file")


def describe(manifest: dict) -> str:
    database = manifest["database"]
    rows = sum(database["tables"].values())
    folders = ", ".join(
        f"{folder} {files(entry['count'])}" for folder, entry in manifest["folders"].items()
    )
    return (
        f"the backup of {manifest['created_at']}: database {database['name']} "
        f"({len(database['tables'])} tables, {rows:,} rows), {folders}"
    )


def migration_advice(alias: str, backup_migrations: list[list[str]]) -> list[str]:
    """What the restored database's migrations mean for this code."""
    connection = connections[alias]
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    known = set(executor.loader.disk_migrations)
    unknown = [tuple(key) for key in backup_migrations if tuple(key) not in known]
    advice = []
    if pending:
        advice.append(
            f"{plural(len(pending), 'migration')} of this code not applied in the backup: "
            "run `manage.py migrate`."
        )
    if unknown:
        advice.append(
            f"The backup has {plural(len(unknown), 'migration')} this code does not know "
            f"(e.g. {unknown[0][0]}.{unknown[0][1]}): it was made by a newer MUSQAT."
        )
    return advice


def restore_backup(
    path: Path, *, site: Site, confirm: Callable[[str], bool]
) -> tuple[dict, list[str]]:
    """Replace the database and the folders with the archive's; return its manifest and
    advice about migrations. `confirm` gets a description of what will be lost and says
    whether to go on; nothing is changed before it does, nor when the archive is bad."""
    if not path.is_file():
        raise BackupError(f"There is no backup at {path}.")
    database = site.database
    database.check_tools()
    with tempfile.TemporaryDirectory(prefix="musqat-restore-") as scratch:
        unpacked = unpack(path, site=site, scratch=Path(scratch))
        try:
            manifest = unpacked.manifest
            if manifest["database"]["engine"] != database.engine:
                raise BackupError(
                    f"{path} holds a {manifest['database']['engine']} database, and "
                    f"DATABASE_URL points at {database.engine}: restore it into that kind."
                )
            database.check_restorable(unpacked.copy)
            folders = "\n".join(
                f"  {folder.upper()}_ROOT {root} (its files are deleted)"
                for folder, root in site.folders.items()
            )
            question = (
                f"This replaces, with {describe(manifest)}:\n"
                f"  the database {database.where()} (its data is deleted)\n{folders}"
            )
            if not confirm(question):
                raise BackupError("Restore cancelled; nothing was changed.")
            leftovers = remove_leftovers(site)
            expected_tables = manifest["database"]["tables"]
            database.replace_with(unpacked.copy, set(expected_tables))
        except BaseException:
            unpacked.discard()
            raise
    for folder, root in site.folders.items():
        swap_in(root, unpacked.staging[folder])
    counts = database.row_counts()
    if counts != expected_tables:
        differing = sorted(
            table
            for table in set(counts) | set(expected_tables)
            if counts.get(table) != expected_tables.get(table)
        )
        raise BackupError(
            "The restored database's rows differ from the backup's manifest in "
            f"{', '.join(differing[:5])}."
        )
    advice = migration_advice(site.alias, manifest["database"]["migrations"])
    if leftovers:
        advice.append(
            f"Removed {plural(len(leftovers), 'folder')} left by a restore that was stopped: "
            + ", ".join(str(folder) for folder in leftovers)
            + "."
        )
    return manifest, advice
