"""Witnesses on loopback: three `minga witness serve` processes started by the test, a log that
publishes with 3 of 3, keeps publishing with 2, holds back below its quorum (while it keeps
integrating) and resumes when they return; a fork refused by all of them and named by the audit;
retirement certificates that carry the cosigned checkpoint, checked offline."""

import base64
import http.client
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import transaction
from django.tasks import TaskResultStatus
from django.test import Client
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from minga.core.access import SYSTEM
from minga.core.events import record_event
from minga.core.testing import declared_event_types
from minga.credits import queries as registry
from minga.credits import services as credits
from minga.credits.models import Account, Project
from minga.ledger import audit, merkle, note, queries, services, tasks, witness, witnessing
from minga.ledger.models import Checkpoint, Witness

SRC = Path(__file__).resolve().parents[3]
SCRIPT = SRC.parent / "docs" / "verify_certificate.py"
NAMES = ("conaie.example/witness", "prefectura.example/witness", "bid.example/witness")


class Process:
    """One witness process on 127.0.0.1; ``stop`` kills it, ``start`` brings it back on the same
    port with the same folder (its state)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = 0
        self.popen: subprocess.Popen[str] | None = None

    def _minga(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "minga", "witness", "--dir", str(self.directory), *args]

    def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(SRC)}
        self.popen = subprocess.Popen(
            self._minga("serve", f"127.0.0.1:{self.port}"),
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        first = self.popen.stdout.readline()  # type: ignore[union-attr]
        assert first.startswith("listening on http://127.0.0.1:"), first
        self.port = int(first.rsplit(":", 1)[1])

    def stop(self) -> None:
        assert self.popen is not None
        self.popen.kill()
        self.popen.wait(timeout=10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def processes(db, tmp_path, settings):
    settings.MINGA_WITNESS_TIMEOUT = 2
    settings.MINGA_WITNESS_RETRIES = 1
    log_key = services.verifier_key()
    found = []
    for i, name in enumerate(NAMES):
        directory = tmp_path / f"w{i}"
        witness.init(directory, name)
        witness.Witness(directory).trust(log_key)
        process = Process(directory)
        process.start()
        found.append(process)
        witnessing.add_witness(name, process.url, witness.Witness(directory).verifier_key)
    witnessing.set_quorum(2)
    yield found
    for process in found:
        if process.popen and process.popen.poll() is None:
            process.stop()


def _grow(n: int = 1) -> None:
    with translation.override("en"), declared_event_types("test.thing_done"), transaction.atomic():
        for i in range(n):
            record_event("test.thing_done", actor=None, payload={"n": i})


def _served() -> tuple[note.Checkpoint, str]:
    signed = Client().get("/log/checkpoint").content.decode()
    return note.parse_checkpoint(signed), signed


def _retire(idempotency_key: str):
    project = Project.objects.get(project_id="BJ01-001")
    batch = project.batches.get()
    holder = Account.objects.get(balances__batch=batch, kind="organization")
    return credits.retire(
        by=SYSTEM,
        batch=batch,
        account=holder,
        amount=3,
        beneficiary="BID Invest",
        reason="2026 footprint",
        jurisdiction="EC",
        idempotency_key=idempotency_key,
    )


def _verify(tmp_path, retirement, policy_text: str) -> subprocess.CompletedProcess[str]:
    certificate = tmp_path / "certificate.json"
    body = Client().get(f"/credits/retirements/{retirement.public_id}.json").json()
    certificate.write_text(json.dumps(body))
    policy = tmp_path / "policy.txt"
    policy.write_text(policy_text)
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(certificate), "--policy", str(policy)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_log_publishes_with_its_quorum_and_holds_back_below_it(processes, tmp_path):
    policy = witnessing.policy_text(services.verifier_key())
    keys = {w.name: w.verifier_key for w in Witness.objects.all()}

    # 3 of 3
    first = services.publish()
    assert first.published and first.cosigned == 3
    checkpoint, signed = _served()
    assert checkpoint.size == first.size == queries.size()
    assert all(note.verify_cosignature(signed, keys[name]) for name in NAMES)
    page = Client(headers={"Accept-Language": "en"}).get("/log/").content.decode()
    assert "Cosigned by 3 of 3 witnesses (at least 2 needed)." in page

    # one witness down: 2 of 3 still publishes
    processes[2].stop()
    _grow()
    second = services.publish()
    assert second.size == first.size + 1 and second.published and second.cosigned == 2
    assert _served()[0].size == second.size
    assert "unreachable" in Witness.objects.get(name=NAMES[2]).last_error

    # two down: the log integrates and signs, but publishes nothing new; certificates wait
    processes[1].stop()
    retirement = _retire("while-witnesses-are-down")
    third = services.publish()
    assert third.size > second.size == _served()[0].size
    assert not third.published and third.cosigned == 1
    assert registry.certificate(retirement)["status"] == "awaiting-witnesses"
    english = Client(headers={"Accept-Language": "en"})
    page = english.get(f"/credits/retirements/{retirement.public_id}/").content.decode()
    assert "awaiting witnesses" in page
    assert "awaiting witnesses: 1 cosigned, 2 needed" in english.get("/log/").content.decode()

    # the worker's task schedules one retry a minute later (however many times it runs)
    tasks.integrate_log.call()
    tasks.integrate_log.call()
    waiting = DBTaskResult.objects.filter(
        task_path="minga.ledger.tasks.ask_witnesses_again", status=TaskResultStatus.READY
    )
    assert waiting.count() == 1 and waiting.get().run_after > timezone.now()

    # they come back with what they cosigned before (a restart keeps the witness's state)
    for process in processes[1:]:
        process.start()
        held = {o: s for o, _, s in witness.Witness(process.directory).logs()}
        assert held[note.parse_checkpoint(first.note).origin] in (first.size, second.size)
    assert tasks.ask_witnesses_again.call() == 3  # the retry: nothing new, the missing ones asked
    resumed = queries.latest_signed()
    assert resumed.pk == third.pk and resumed.published and resumed.cosigned == 3
    assert _served()[0].size == third.size
    assert all(not w.last_error and w.size == third.size for w in Witness.objects.all())

    # the certificate now carries the cosigned checkpoint; checked offline against the policy
    certificate = registry.certificate(retirement)
    assert certificate["status"] == "included" and certificate["cosigned"] == 3
    done = _verify(tmp_path, retirement, policy)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "cosigned by 3 witnesses (quorum 2)" in done.stdout
    # a policy asking more witnesses than cosigned refuses it
    stricter = policy.replace("quorum 2", "quorum 3").replace(
        keys[NAMES[0]], note.generate_cosigner(NAMES[0])[1]
    )
    refused = _verify(tmp_path, retirement, stricter)
    assert refused.returncode == 1 and "needs 3" in refused.stdout


def test_a_fork_is_refused_by_every_witness_and_named_by_the_audit(processes, tmp_path):
    honest = services.publish()
    assert honest.published
    state = tmp_path / "audit.json"
    policy = witness.parse_policy(witnessing.policy_text(services.verifier_key()))

    def fetch(url):
        answer = Client().get(url.removeprefix("http://minga.test"))
        return answer.status_code, answer.content

    assert audit.audit_remote("http://minga.test", state_file=state, fetch=fetch, policy=policy).ok

    # the operator (or whoever holds the log's key) signs another tree of the same size
    origin = note.parse_checkpoint(honest.note).origin
    fork = note.sign(
        note.Checkpoint(origin, honest.size, b"\x07" * 32).text(), services.signer_key()
    )
    grown = note.sign(
        note.Checkpoint(origin, honest.size + 5, b"\x08" * 32).text(), services.signer_key()
    )
    for process in processes:
        at_size = witnessing.http_post(
            f"{process.url}/add-checkpoint", witness.request_body(honest.size, [], fork), 5
        )
        assert at_size[0] == 409 and at_size[1] == "text/plain"  # a fork: no size to retry from
        proof = queries.consistency(1, honest.size)["proof"]  # a proof of something else
        grown_answer = witnessing.http_post(
            f"{process.url}/add-checkpoint",
            witness.request_body(honest.size, proof, grown),
            5,
        )
        assert grown_answer[0] == 422
        held = {o: s for o, _, s in witness.Witness(process.directory).logs()}
        assert held[origin] == honest.size

    def forked_fetch(url):
        if url.endswith("/log/checkpoint"):
            return 200, fork.encode()
        return fetch(url)

    report = audit.audit_remote(
        "http://minga.test", state_file=state, fetch=forked_fetch, policy=policy
    )
    assert not report.ok
    assert any("a fork" in p for p in report.problems)
    assert any("cosigned by 0 of the policy's 3 witnesses" in p for p in report.problems)


def test_the_publisher_asks_again_from_the_size_a_witness_names(processes):
    """A witness whose size the log lost (a restored backup, say) answers 409 with its size;
    the log proves consistency from there and gets the cosignature."""
    first = services.publish()
    assert first.cosigned == 3
    _grow(3)
    Witness.objects.filter(name=NAMES[0]).update(size=1)  # the log's record is wrong
    second = services.publish()
    assert second.cosigned == 3
    w = Witness.objects.get(name=NAMES[0])
    assert w.size == second.size and not w.last_error
    assert audit.audit_local().ok
    line = next(ln for ln in second.cosignatures.splitlines() if NAMES[0] in ln)
    raw = base64.b64decode(line.split(" ")[2])
    assert len(raw) == 4 + 8 + 64
    assert merkle.verify_consistency(
        first.size,
        second.size,
        bytes(first.root),
        bytes(second.root),
        queries.consistency(first.size, second.size)["proof"],
    )


def test_the_local_audit_names_a_changed_cosignature(processes):
    checkpoint = services.publish()
    assert checkpoint.cosigned == 3 and audit.audit_local().ok
    name = NAMES[1]
    cosignature = next(ln for ln in checkpoint.cosignatures.splitlines() if f" {name} " in ln)
    raw = bytearray(base64.b64decode(cosignature.split(" ")[2]))
    raw[-1] ^= 1
    forged = f"\u2014 {name} {base64.b64encode(bytes(raw)).decode()}"
    Checkpoint.objects.filter(pk=checkpoint.pk).update(
        cosignatures=checkpoint.cosignatures.replace(cosignature, forged)
    )
    report = audit.audit_local()
    assert report.problems == [
        f"checkpoint at size {checkpoint.size}: {name}'s cosignature does not verify"
    ]


def test_one_broken_witness_never_costs_the_others_cosignatures(db, tmp_path, caplog, monkeypatch):
    """In process (no sockets): a witness whose HTTP answer is garbled, one removed from the
    policy while it is asked, and one that lost its state all leave the others' cosignatures
    stored and counted."""
    log_key = services.verifier_key()
    names = ("a.example/w", "b.example/w", "c.example/w", "d.example/w")
    found = {}
    for name in names:
        folder = tmp_path / name.split(".")[0]
        witness.init(folder, name)
        found[name] = witness.Witness(folder)
        found[name].trust(log_key)
        witnessing.add_witness(name, f"http://{name.split('/')[0]}", found[name].verifier_key)
    witnessing.set_quorum(2)
    broken = set()

    def post(url, body, timeout):
        name = url.removeprefix("http://").removesuffix("/add-checkpoint") + "/w"
        if name in broken and name == "a.example/w":
            raise http.client.RemoteDisconnected("Remote end closed connection without response")
        answer = found[name].add_checkpoint(body)
        return answer.status, answer.content_type.split(";")[0], answer.body

    first = witnessing.collect(services.sign_checkpoint(), post=post)
    assert first.cosigned == 4
    (tmp_path / "d" / witness.STATE_FILE).unlink()  # d loses its state: it holds nothing now
    found["d.example/w"] = witness.Witness(tmp_path / "d")
    found["d.example/w"].trust(log_key)
    broken.update({"a.example/w", "b.example/w"})

    # b is removed from the policy after the collection read it
    read_before = witnessing.witnesses()
    Witness.objects.filter(name="b.example/w").delete()
    real = witnessing.witnesses
    calls = iter([read_before])
    monkeypatch.setattr(witnessing, "witnesses", lambda: next(calls, None) or real())
    _grow(2)
    with caplog.at_level("WARNING"):
        services.integrate()
        second = witnessing.collect(services.sign_checkpoint(), post=post)
    second.refresh_from_db()
    assert second.cosigned == 2 and second.published  # c, and d from size 0
    assert sorted(witnessing.valid_cosigners(second, witnessing.witnesses())) == [
        "c.example/w",
        "d.example/w",
    ]
    assert "unreachable" in Witness.objects.get(name="a.example/w").last_error
    assert "now holds size 0" in caplog.text
