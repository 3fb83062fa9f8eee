"""``minga backup`` and ``minga restore``: the whole database in one file, with a manifest.

A backup is a tar file holding ``manifest.json`` (when, which engine, the migrations applied,
row counts, the transparency log's size, root and verifier key) and the database itself:
PostgreSQL's ``pg_dump --format=custom``, or SQLite's online backup (a consistent copy taken
while minga runs). Restoring goes into an empty database of the same engine only, then checks
that the restored log has the size and root the manifest recorded; ``minga audit --local``
recomputes the rest. Uploaded files (MINGA_MEDIA_ROOT) and the log's signing key are not in the
database: back them up beside it (see the README).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from minga.ledger.models import LogState
from minga.ledger.queries import tree
from minga.ledger.services import KeyMissing, verifier_key

FORMAT = 1


class BackupError(RuntimeError):
    pass


@dataclass
class Restored:
    manifest: dict[str, Any]
    log_size: int
    log_root: str


def _pg_tool(name: str) -> str:
    """The newest pg_dump/pg_restore installed (it must not be older than the server)."""
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=_version, reverse=True)
    if found:
        return str(found[0])
    on_path = shutil.which(name)
    if on_path:
        return on_path
    raise BackupError(
        f"{name} not found: install the PostgreSQL client (apt-get install postgresql-client)"
    )


def _version(path: Path) -> int:
    try:
        return int(path.parent.parent.name)
    except ValueError:
        return 0


def _pg_env() -> tuple[list[str], dict[str, str]]:
    s = connection.settings_dict
    args = ["--dbname", s["NAME"]]
    if s.get("HOST"):
        args += ["--host", s["HOST"]]
    if s.get("PORT"):
        args += ["--port", str(s["PORT"])]
    if s.get("USER"):
        args += ["--username", s["USER"]]
    env = dict(os.environ)
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = s["PASSWORD"]
    return args, env


def _log_state() -> tuple[int, str]:
    state = LogState.objects.filter(pk=1).first()
    size = state.size if state else 0
    return size, tree().root(size).hex() if size else ""


def _counts() -> dict[str, int]:
    """Rows of every minga model, for the operator to compare before and after."""

    return {
        model._meta.label_lower: model._default_manager.count()
        for model in sorted(apps.get_models(), key=lambda m: m._meta.label_lower)
        if model.__module__.startswith("minga.")
    }


def manifest() -> dict[str, Any]:
    try:
        key = verifier_key()
    except KeyMissing:
        key = ""
    size, root = _log_state()
    applied = sorted(f"{a}.{n}" for a, n in MigrationRecorder(connection).applied_migrations())
    return {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "engine": connection.vendor,
        "migrations": applied,
        "counts": _counts(),
        "log": {"size": size, "root": root, "verifier_key": key},
    }


def backup(target: Path) -> dict[str, Any]:
    """Write a backup of the current database to ``target`` (a .tar file)."""
    info = manifest()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        if connection.vendor == "postgresql":
            dump = Path(tmp) / "database.dump"
            args, env = _pg_env()
            result = subprocess.run(
                [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                 "--file", str(dump), *args],
                env=env, capture_output=True, text=True, check=False,
            )  # fmt: skip
            if result.returncode:
                raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        else:
            dump = Path(tmp) / "database.sqlite3"
            connection.ensure_connection()
            out = sqlite3.connect(dump)
            try:
                connection.connection.backup(out)
            finally:
                out.close()
        # The dump's checksum: a restore refuses a file damaged since (a disk, a copy, a transfer).
        info["database_sha256"] = hashlib.sha256(dump.read_bytes()).hexdigest()
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w") as tar:
            data = json.dumps(info, indent=2).encode()
            entry = tarfile.TarInfo("manifest.json")
            entry.size = len(data)
            tar.addfile(entry, io.BytesIO(data))
            tar.add(dump, arcname=dump.name)
        partial.replace(target)  # never a half-written backup under the final name
    return info


def read_manifest(source: Path) -> dict[str, Any]:
    try:
        with tarfile.open(source) as tar:
            member = tar.extractfile("manifest.json")
            if member is None:
                raise KeyError
            return dict(json.loads(member.read()))
    except (tarfile.TarError, KeyError, json.JSONDecodeError, OSError) as exc:
        raise BackupError(f"{source} is not a minga backup ({exc.__class__.__name__})") from None


def _empty() -> bool:
    return not connection.introspection.table_names()


def _check_dump(dump: Path, info: dict[str, Any]) -> None:
    """Refuse a damaged database file before anything touches the target."""
    recorded = info.get("database_sha256")
    if recorded and hashlib.sha256(dump.read_bytes()).hexdigest() != recorded:
        raise BackupError(
            "the database file in the backup is damaged (its SHA-256 is not the one the backup "
            "recorded); nothing was restored"
        )
    if info["engine"] != "sqlite":
        return
    try:
        db = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
        try:
            found = [row[0] for row in db.execute("PRAGMA integrity_check(5)")]
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(
            f"the database file in the backup is damaged ({exc}); nothing was restored"
        ) from None
    if found != ["ok"]:
        raise BackupError(
            "the database file in the backup fails SQLite's integrity check ("
            + "; ".join(found)
            + "); nothing was restored"
        )


def _empty_sqlite() -> None:
    connection.ensure_connection()
    blank = sqlite3.connect(":memory:")
    try:
        blank.backup(connection.connection)
    finally:
        blank.close()
    connection.close()


def restore(source: Path) -> Restored:
    """Restore ``source`` into the current database, which must be empty."""
    info = read_manifest(source)
    if info.get("format") != FORMAT:
        raise BackupError(f"backup format {info.get('format')} is not {FORMAT}")
    if info["engine"] != connection.vendor:
        raise BackupError(
            f"this backup is of a {info['engine']} database; DATABASE_URL points to "
            f"{connection.vendor}. Restore into the same engine."
        )
    if not _empty():
        raise BackupError(
            "the target database is not empty: restore into a new, empty database "
            "(createdb, or a new SQLite path in DATABASE_URL)"
        )
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(source) as tar:
        name = "database.dump" if info["engine"] == "postgresql" else "database.sqlite3"
        try:
            tar.extract(name, tmp, filter="data")
        except (tarfile.TarError, KeyError, OSError) as exc:
            raise BackupError(f"the backup's {name} cannot be read ({exc})") from None
        dump = Path(tmp) / name
        _check_dump(dump, info)
        if info["engine"] == "postgresql":
            args, env = _pg_env()
            result = subprocess.run(
                [_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
                 "--single-transaction", *args, str(dump)],
                env=env, capture_output=True, text=True, check=False,
            )  # fmt: skip
            if result.returncode:
                raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
        else:
            connection.ensure_connection()
            source_db = sqlite3.connect(dump)
            try:
                source_db.backup(connection.connection)
            finally:
                source_db.close()
    connection.close()
    size, root = _log_state()
    if size != info["log"]["size"] or root != info["log"]["root"]:
        if connection.vendor == "sqlite":
            _empty_sqlite()  # the target goes back to empty: the next restore may run
        raise BackupError(
            f"the restored log has {size} leaves and root {root or '-'}; the backup recorded "
            f"{info['log']['size']} and {info['log']['root'] or '-'}"
        )
    return Restored(info, size, root)
