"""A transparency-log witness (C2SP tlog-witness, cosignatures per C2SP tlog-cosignature). Pure:
the standard library, SQLite and ``cryptography``; no Django, no minga database.

A member organization of a table runs one on its own machine (``minga witness serve``). It keeps,
per log it was told to trust, the latest checkpoint it cosigned, in its own SQLite file. On
``POST <prefix>/add-checkpoint`` it checks the log's signature, the consistency proof from the size
it cosigned last to the new one, and only then stores the new checkpoint and answers with its
cosignature. Checking the old size and storing the new checkpoint happen in one ``BEGIN
IMMEDIATE`` transaction, committed before the answer: two concurrent requests, or a restart
between them, can never make it cosign a smaller tree or a fork.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from minga.ledger import merkle, note

MAX_BODY = 16 * 1024  # 63 proof lines and a checkpoint with a few signatures fit in 5 KiB
MAX_PROOF = 63
KEY_FILE = "witness.key"
STATE_FILE = "witness.sqlite3"
SIZE_TYPE = "text/x.tlog.size"
_OLD = re.compile(r"old (0|[1-9][0-9]*)")

SCHEMA = """
CREATE TABLE IF NOT EXISTS log (
    origin TEXT PRIMARY KEY,
    verifier_key TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS latest (
    origin TEXT PRIMARY KEY REFERENCES log(origin),
    size INTEGER NOT NULL,
    root BLOB NOT NULL,
    note TEXT NOT NULL,
    cosigned_at INTEGER NOT NULL
);
"""


class WitnessError(ValueError):
    """A witness directory that is missing or holds no valid key."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    content_type: str = "text/plain; charset=utf-8"


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None, timeout=30)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.executescript(SCHEMA)
    return db


def init(directory: Path, name: str) -> str:
    """Create a witness's key and state in ``directory``; returns its verifier key. An existing
    key is kept (a witness that changes key loses the trust of every log that listed it)."""
    directory.mkdir(parents=True, exist_ok=True)
    key_path = directory / KEY_FILE
    if key_path.exists():
        return note.cosigner_public_key(note.cosigner_signer(key_path.read_text()))
    signer, verifier = note.generate_cosigner(name)
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(signer + "\n")
    _connect(directory / STATE_FILE).close()
    return verifier


class Witness:
    """The witness of ``directory``: its key, the logs it trusts and what it cosigned."""

    def __init__(self, directory: Path, clock: Callable[[], float] = time.time) -> None:
        key_path = directory / KEY_FILE
        if not key_path.exists():
            raise WitnessError(f"no witness key in {directory}: run `minga witness init NAME`")
        try:
            self.signer = note.cosigner_signer(key_path.read_text())
        except note.NoteError as exc:
            raise WitnessError(f"{key_path}: {exc}") from None
        self.state = directory / STATE_FILE
        self.clock = clock
        _connect(self.state).close()

    @property
    def verifier_key(self) -> str:
        return note.cosigner_public_key(self.signer)

    def trust(self, verifier_key: str, origin: str | None = None) -> str:
        """Witness the log signed by ``verifier_key`` (its origin is the key's name unless
        given); returns the origin."""
        name = note.parse_verifier(verifier_key).name
        origin = origin or name
        db = _connect(self.state)
        try:
            db.execute(
                "INSERT INTO log (origin, verifier_key) VALUES (?, ?) "
                "ON CONFLICT(origin) DO UPDATE SET verifier_key = excluded.verifier_key",
                (origin, verifier_key.strip()),
            )
        finally:
            db.close()
        return origin

    def logs(self) -> list[tuple[str, str, int]]:
        """(origin, verifier key, size last cosigned) of every log it witnesses."""
        db = _connect(self.state)
        try:
            return db.execute(
                "SELECT log.origin, log.verifier_key, COALESCE(latest.size, 0) FROM log "
                "LEFT JOIN latest ON latest.origin = log.origin ORDER BY log.origin"
            ).fetchall()
        finally:
            db.close()

    def add_checkpoint(self, body: bytes) -> Answer:
        """Answer one ``add-checkpoint`` request body (C2SP tlog-witness)."""
        if len(body) > MAX_BODY:
            return Answer(413, "request too large\n")
        try:
            parsed = _parse_request(body)
        except ValueError as exc:
            return Answer(400, f"{exc}\n")
        old, proof, signed = parsed
        try:
            checkpoint = note.parse_checkpoint(signed)
            note.split(signed)
        except note.NoteError as exc:
            return Answer(400, f"{exc}\n")
        db = _connect(self.state)
        try:
            row = db.execute(
                "SELECT verifier_key FROM log WHERE origin = ?", (checkpoint.origin,)
            ).fetchone()
            if row is None:
                return Answer(404, "unknown log\n")
            if not note.verify(signed, row[0]):
                return Answer(403, "no signature verifies with the log's key\n")
            if old > checkpoint.size:
                return Answer(400, "the old size is larger than the checkpoint's\n")
            if (old == 0 or old == checkpoint.size) and proof:
                return Answer(400, "a proof from size 0, or to the same size, is empty\n")
            db.execute("BEGIN IMMEDIATE")
            try:
                answer = self._check_and_store(db, checkpoint, old, proof, signed)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT" if answer.status == 200 else "ROLLBACK")
        finally:
            db.close()
        if answer.status != 200:
            return answer
        return Answer(200, note.cosign(checkpoint.text(), self.signer, int(answer.body)))

    def _check_and_store(
        self,
        db: sqlite3.Connection,
        checkpoint: note.Checkpoint,
        old: int,
        proof: list[bytes],
        signed: str,
    ) -> Answer:
        latest = db.execute(
            "SELECT size, root FROM latest WHERE origin = ?", (checkpoint.origin,)
        ).fetchone()
        size, root = (latest[0], bytes(latest[1])) if latest else (0, b"")
        if old != size:
            return Answer(409, f"{size}\n", SIZE_TYPE)
        if old == checkpoint.size and old > 0:
            if checkpoint.root != root:  # same size, another root: a fork (not a size to retry)
                return Answer(409, "another tree of the same size was cosigned: a fork\n")
        elif old > 0 and not merkle.verify_consistency(
            old, checkpoint.size, root, checkpoint.root, proof
        ):
            return Answer(422, "the consistency proof does not verify\n")
        now = int(self.clock())
        db.execute(
            "INSERT INTO latest (origin, size, root, note, cosigned_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(origin) DO UPDATE SET size = excluded.size, root = excluded.root, "
            "note = excluded.note, cosigned_at = excluded.cosigned_at",
            (checkpoint.origin, checkpoint.size, checkpoint.root, signed, now),
        )
        return Answer(200, str(now))


def _parse_request(body: bytes) -> tuple[int, list[bytes], str]:
    """(old size, consistency proof, signed checkpoint) of a request body; ValueError names what
    is malformed."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("the body is not UTF-8") from None
    head, blank, signed = text.partition("\n\n")
    if not blank:
        raise ValueError("no empty line before the checkpoint")
    lines = head.split("\n")
    match = _OLD.fullmatch(lines[0])
    if match is None:
        raise ValueError("the first line is 'old <size>'")
    if len(lines) - 1 > MAX_PROOF:
        raise ValueError(f"more than {MAX_PROOF} consistency proof lines")
    proof = []
    for line in lines[1:]:
        try:
            digest = base64.b64decode(line, validate=True)
        except binascii.Error:
            raise ValueError("a proof line is not base64") from None
        if len(digest) != merkle.HASH_SIZE:
            raise ValueError("a proof line is not a SHA-256 hash")
        proof.append(digest)
    return int(match.group(1)), proof, signed


def request_body(old: int, proof: list[bytes], signed_checkpoint: str) -> bytes:
    """The body of an ``add-checkpoint`` request (what a log sends)."""
    lines = [f"old {old}", *(base64.b64encode(p).decode() for p in proof)]
    return ("\n".join(lines) + "\n\n" + signed_checkpoint).encode()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    timeout = 30

    def _answer(self, answer: Answer) -> None:
        data = answer.body.encode()
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        if self.path != f"{self.server.prefix}/add-checkpoint":
            self._answer(Answer(404, "not found\n"))
            return
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self.close_connection = True
            self._answer(Answer(411, "a Content-Length is required\n"))
            return
        if length < 0 or length > MAX_BODY:
            self.close_connection = True
            self._answer(Answer(413, "request too large\n"))
            return
        answer = self.server.witness.add_checkpoint(self.rfile.read(length))
        self._answer(answer)

    def do_GET(self) -> None:
        if self.path not in (self.server.prefix or "/", f"{self.server.prefix}/"):
            self._answer(Answer(404, "not found\n"))
            return
        self._answer(Answer(200, f"minga witness\n{self.server.witness.verifier_key}\n"))

    def log_message(self, format: str, *args: object) -> None:
        sys.stderr.write(f"{self.address_string()} {format % args}\n")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], witness: Witness, prefix: str) -> None:
        super().__init__(address, _Handler)
        self.witness = witness
        self.prefix = prefix.rstrip("/")


def server(directory: Path, host: str, port: int, prefix: str = "") -> _Server:
    """A witness HTTP server bound to ``host:port`` (port 0: any free one); call
    ``serve_forever()`` on it."""
    return _Server((host, port), Witness(directory), prefix)


# --- the log's witness policy, as verifiers read it ------------------------------------------------


@dataclass(frozen=True)
class Policy:
    """``log <vkey>`` (optional), ``witness <name> <vkey> <url>`` lines and ``quorum <k>``."""

    log_key: str | None
    witnesses: tuple[tuple[str, str], ...]  # (name, verifier key)
    quorum: int

    def cosigners(self, signed_note: str) -> list[str]:
        """The policy's witnesses whose valid cosignature ``signed_note`` carries."""
        return [
            name
            for name, vkey in self.witnesses
            if note.verify_cosignature(signed_note, vkey) is not None
        ]


def parse_policy(text: str) -> Policy:
    log_key: str | None = None
    found: list[tuple[str, str]] = []
    quorum: int | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        word, *rest = line.split()
        try:
            if word == "log" and len(rest) == 1:
                note.parse_verifier(rest[0])
                log_key = rest[0]
            elif word == "witness" and len(rest) in (2, 3):
                if note.cosigner_verifier(rest[1]).name != rest[0]:
                    raise note.NoteError("the key is another witness's")
                if any(rest[0] == name or rest[1] == key for name, key in found):
                    raise note.NoteError(f"{rest[0]} is listed twice")
                found.append((rest[0], rest[1]))
            elif word == "quorum" and len(rest) == 1 and rest[0].isdigit():
                quorum = int(rest[0])
            else:
                raise note.NoteError(f"unknown line {word!r}")
        except note.NoteError as exc:
            raise WitnessError(f"policy line {number}: {exc}") from None
    if quorum is None or quorum > len(found):
        raise WitnessError("a policy ends with 'quorum K', K at most its number of witnesses")
    return Policy(log_key, tuple(found), quorum)
