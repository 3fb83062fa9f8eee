"""SQLite, the default engine, with its write lock held by another process: a write that waits
past the timeout answers the plain 503 with Retry-After (JSON under /api/), as on PostgreSQL,
and saves nothing."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap

from minga.tests.production import _env

# Runs in its own process against a file database: sets up a user and a token, says "ready",
# waits for the test to take the lock, then makes two writes and prints what they answered.
SERVER_SIDE = textwrap.dedent(
    """
    import json, sys
    import django
    django.setup()
    from django.core.management import call_command
    from django.contrib.auth import get_user_model
    from django.test import Client
    from minga.core.tokens import create_api_token
    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("ana", password="pw-minga-lock")
    _record, token = create_api_token(user=user, name="lock")
    print("ready", flush=True)
    sys.stdin.readline()
    client = Client(raise_request_exception=False)
    page = client.post(
        "/accounts/login/?lang=es", {"username": "ana", "password": "pw-minga-lock"}
    )
    api = client.get("/api/v1/tables?lang=en", HTTP_AUTHORIZATION=f"Bearer {token}")
    user.refresh_from_db()
    print(json.dumps({
        "page": [page.status_code, page.get("Retry-After"), page.content.decode()],
        "api": [api.status_code, api.get("Retry-After"), api.content.decode()],
        "last_login": str(user.last_login),
    }), flush=True)
    """
)


def test_a_write_while_another_process_holds_the_lock_answers_503(tmp_path):
    database = tmp_path / "locked.sqlite3"
    env = _env(
        DATABASE_URL=f"sqlite:///{database}",
        MINGA_DATA_DIR=str(tmp_path),
        MINGA_SQLITE_TIMEOUT="1",
        MINGA_EMAIL="console",
    )
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER_SIDE],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None and server.stdin is not None
    ready = server.stdout.readline()
    assert ready.strip() == "ready", server.stderr.read() if server.stderr else ready
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # the write lock, held by this process
    try:
        out, err = server.communicate("go\n", timeout=120)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert server.returncode == 0, err[-3000:]
    found = json.loads(out.strip().splitlines()[-1])
    status, retry, body = found["page"]
    assert (status, retry) == (503, "5"), body[:500]
    assert "No se guardó nada" in body
    status, retry, body = found["api"]
    assert (status, retry) == (503, "5"), body[:500]
    assert "Nothing of it was saved" in json.loads(body)["detail"]
    assert found["last_login"] == "None"  # the login's write did not happen
