"""`minga backup` and `minga restore` on PostgreSQL and SQLite, and their refusals."""

from __future__ import annotations

import io
import json
import secrets
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from minga.core.access import SYSTEM
from minga.monitoring import sync
from minga.tables.models import Table
from minga.tests.production import _database_url, _env, _needs_postgres


@pytest.mark.flushes_db
@pytest.mark.django_db(transaction=True)
def test_backup_restore_into_an_empty_database_then_the_audit_passes(tmp_path):
    _needs_postgres()
    import psycopg

    from minga.demo.load import load_demo
    from minga.ledger import services as ledger

    load_demo(say=lambda line: None)
    ledger.init_keys()
    ledger.publish()
    backup = tmp_path / "minga.tar"
    out = io.StringIO()
    call_command("backup", "-o", str(backup), stdout=out)
    manifest = json.loads(
        subprocess.run(["tar", "-xOf", str(backup), "manifest.json"], capture_output=True).stdout
    )
    assert manifest["engine"] == "postgresql" and manifest["log"]["size"] > 100
    target = f"minga_restore_{secrets.token_hex(4)}"
    with psycopg.connect(_database_url("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{target}"')
    try:
        env = _env(
            DATABASE_URL=_database_url(target),
            MINGA_LOG_KEY_FILE=str(tmp_path / "absent.key"),  # the key is not in the backup
        )
        restored = subprocess.run(
            [sys.executable, "-m", "minga", "restore", str(backup)],
            env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert restored.returncode == 0, restored.stderr
        assert f"log of {manifest['log']['size']:,} leaves" in restored.stdout
        audit = subprocess.run(
            [sys.executable, "-m", "minga", "audit", "--local",
             "--key", manifest["log"]["verifier_key"]],
            env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert audit.returncode == 0, audit.stdout[-3000:]
        assert "the log checks out" in audit.stdout
        again = subprocess.run(
            [sys.executable, "-m", "minga", "restore", str(backup)],
            env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert again.returncode == 1 and "not empty" in again.stderr
    finally:
        with psycopg.connect(_database_url("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')


@pytest.mark.flushes_db
@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_on_sqlite_and_refusals(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite path (the PostgreSQL one runs in its own test)")
    from minga.demo.load import load_demo
    from minga.ledger import services as ledger

    load_demo(say=lambda line: None)  # committed: a backup copies what is committed
    ledger.integrate()
    sync.add_source(
        by=SYSTEM, table=Table.objects.get(slug="sucumbios"), tool="kobo", name="K",
        url="https://kf.kobotoolbox.org", ref="a1", credential="very-secret-token-42",
    )  # fmt: skip
    backup = tmp_path / "minga.tar"
    call_command("backup", "-o", str(backup), stdout=io.StringIO())
    with tarfile.open(backup) as archive:  # a field server's token is in it only sealed
        for member in archive.getmembers():
            content = archive.extractfile(member)
            assert content is None or b"very-secret-token-42" not in content.read()
    env = _env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'restored.sqlite3'}",
        MINGA_DATA_DIR=str(tmp_path),
        MINGA_LOG_KEY_FILE=str(settings.MINGA_LOG_KEY_FILE),
    )
    restored = subprocess.run(
        [sys.executable, "-m", "minga", "restore", str(backup)],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert restored.returncode == 0, restored.stderr
    audit = subprocess.run(
        [sys.executable, "-m", "minga", "audit", "--local"],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert audit.returncode == 0, audit.stdout[-3000:]
    not_a_backup = tmp_path / "notes.tar"
    not_a_backup.write_bytes(b"hello")
    bad = subprocess.run(
        [sys.executable, "-m", "minga", "restore", str(not_a_backup)],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert bad.returncode == 1 and "is not a minga backup" in bad.stderr
    assert Path(backup).stat().st_size > 100_000
    # A backup damaged since it was written: refused before anything is swapped in, the
    # target left empty, and the next restore (of a good file) runs.
    target = tmp_path / "target.sqlite3"
    into_target = {**env, "DATABASE_URL": f"sqlite:///{target}"}
    for damaged, checksum in ((tmp_path / "damaged.tar", True), (tmp_path / "old.tar", False)):
        damage(backup, damaged, keep_checksum=checksum)
        refused = subprocess.run(
            [sys.executable, "-m", "minga", "restore", str(damaged)],
            env=into_target, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert refused.returncode == 1, refused.stdout
        assert "damaged" in refused.stderr or "integrity" in refused.stderr, refused.stderr
        assert "nothing was restored" in refused.stderr
        if target.exists():
            with sqlite3.connect(target) as db:
                assert db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    good = subprocess.run(
        [sys.executable, "-m", "minga", "restore", str(backup)],
        env=into_target, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert good.returncode == 0, good.stderr


def damage(backup, target, *, keep_checksum):
    """``backup`` with its database file overwritten in the middle; with or without the
    checksum (backups written before minga recorded one)."""
    with tarfile.open(backup) as archive:
        manifest = json.loads(archive.extractfile("manifest.json").read())
        data = bytearray(archive.extractfile("database.sqlite3").read())
    data[100:8192] = b"\xff" * (8192 - 100)  # the header's tail and the schema's page
    if not keep_checksum:
        manifest.pop("database_sha256", None)
    with tarfile.open(target, "w") as archive:
        for name, content in (
            ("manifest.json", json.dumps(manifest).encode()),
            ("database.sqlite3", bytes(data)),
        ):
            entry = tarfile.TarInfo(name)
            entry.size = len(content)
            archive.addfile(entry, io.BytesIO(content))
