"""Auditing the log: from outside (HTTP, a few proofs) and from inside (recompute everything).

``audit_remote`` is what any bank, federation or university can run against a minga: check the
latest checkpoint's signature, its consistency with the last one seen (kept in a state file) and
a sample of inclusion proofs. ``audit_local`` recomputes every leaf from the events, every stored
subtree and every checkpoint root, and asks each registered registry auditor (the credits area
registers one) to recompute its rows from the log — so a row changed, deleted or reordered behind
the services' back is named.
"""

from __future__ import annotations

import base64
import json
import random
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from minga.core import hooks
from minga.core.models import Event
from minga.ledger import leaves, merkle, note, witness
from minga.ledger.models import LEVEL_SHIFT, Checkpoint, LogEntry, LogState, TreeNode, Witness
from minga.ledger.services import KeyMissing
from minga.ledger.services import verifier_key as own_key

Fetch = Callable[[str], tuple[int, bytes]]
# The hook of registry auditors: each yields problems (strings) found by replaying the log's
# leaves against an area's rows (register with ``@hooks.register(REGISTRY_AUDITOR)``).
REGISTRY_AUDITOR = "ledger.registry_auditor"


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def http_fetch(url: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"User-Agent": "minga-audit"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def audit_remote(
    base_url: str,
    *,
    state_file: Path,
    verifier_key: str | None = None,
    samples: int = 8,
    fetch: Fetch = http_fetch,
    rng: random.Random | None = None,
    policy: witness.Policy | None = None,
) -> Report:
    """Check the log at ``base_url``; with a witness ``policy``, also that its checkpoint
    carries the quorum of valid cosignatures the policy asks for."""
    report = Report()
    base = base_url.rstrip("/")
    state = json.loads(state_file.read_text()) if state_file.exists() else {}
    status, body = fetch(f"{base}/log/key")
    served_key = body.decode().strip() if status == 200 else None
    key = verifier_key or (policy.log_key if policy else None) or state.get("key") or served_key
    if key is None:
        report.problems.append(f"no verifier key: {base}/log/key answered {status}")
        return report
    if served_key and served_key != key:
        report.problems.append("the log now serves a different key than the one trusted")
    status, body = fetch(f"{base}/log/checkpoint")
    if status != 200:
        report.problems.append(f"{base}/log/checkpoint answered {status}")
        return report
    signed = body.decode()
    if not note.verify(signed, key):
        report.problems.append("the checkpoint's signature does not verify with the trusted key")
        return report
    checkpoint = note.parse_checkpoint(signed)
    report.checked.append(f"checkpoint signature ({checkpoint.origin}, size {checkpoint.size})")
    if policy is not None:
        cosigned = policy.cosigners(signed)
        if len(cosigned) < policy.quorum:
            report.problems.append(
                f"cosigned by {len(cosigned)} of the policy's {len(policy.witnesses)} witnesses "
                f"({', '.join(cosigned) or 'none'}); the policy needs {policy.quorum}"
            )
        else:
            report.checked.append(
                f"cosigned by {len(cosigned)} witnesses (quorum {policy.quorum}): "
                + ", ".join(cosigned)
            )
    old_size, old_root = state.get("size"), state.get("root")
    if old_size:
        old = base64.b64decode(old_root or "")
        if checkpoint.size < old_size:
            report.problems.append(f"the log shrank from {old_size} to {checkpoint.size}")
        elif checkpoint.size == old_size:
            if checkpoint.root != old:
                report.problems.append("same size as last time but a different root: a fork")
            else:
                report.checked.append("unchanged since the last audit")
        else:
            status, body = fetch(
                f"{base}/api/v1/log/proof/consistency?first={old_size}&second={checkpoint.size}"
            )
            proof = _proof(status, body)
            if proof is None or not merkle.verify_consistency(
                old_size,
                checkpoint.size,
                old,
                checkpoint.root,
                [base64.b64decode(p) for p in proof.get("proof", [])],
            ):
                report.problems.append(
                    f"no valid consistency proof from {old_size} to {checkpoint.size}"
                )
            else:
                report.checked.append(f"consistency {old_size} → {checkpoint.size}")
    rng = rng or random.SystemRandom()
    if checkpoint.size:
        picks = {checkpoint.size - 1, *(rng.randrange(checkpoint.size) for _ in range(samples))}
        for index in sorted(picks):
            status, leaf = fetch(f"{base}/log/entries/{index}")
            status2, body = fetch(
                f"{base}/api/v1/log/proof/inclusion?index={index}&size={checkpoint.size}"
            )
            proof = _proof(status2, body)
            if (
                status != 200
                or proof is None
                or not merkle.verify_inclusion(
                    merkle.leaf_hash(leaf),
                    index,
                    checkpoint.size,
                    [base64.b64decode(p) for p in proof.get("proof", [])],
                    checkpoint.root,
                )
            ):
                report.problems.append(f"leaf {index} is not provably in the checkpoint's tree")
        report.checked.append(f"{len(picks)} inclusion proofs")
    if report.ok:
        state_file.parent.mkdir(parents=True, exist_ok=True)
        state_file.write_text(
            json.dumps(
                {
                    "url": base,
                    "key": key,
                    "size": checkpoint.size,
                    "root": base64.b64encode(checkpoint.root).decode(),
                }
            )
        )
    return report


def _proof(status: int, body: bytes) -> dict[str, Any] | None:
    if status != 200:
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def audit_local(verifier_key: str | None = None) -> Report:
    """Recompute the log from the database and name whatever does not match."""

    report = Report()
    state = LogState.objects.filter(pk=1).first()
    size = state.size if state else 0
    stored = dict(TreeNode.objects.values_list("id", "hash").iterator())
    events = {
        row[0]: row
        for row in Event.objects.values_list(
            "id",
            "type",
            "occurred_at",
            "actor_label",
            "table_slug",
            "subject",
            "payload",
            "sensitivity",
        ).iterator()
    }
    hashes: list[bytes] = []
    expected = 0
    for index, event_id, leaf, leaf_hash, salt in (
        LogEntry.objects.order_by("index")
        .values_list("index", "event_id", "leaf", "leaf_hash", "salt")
        .iterator()
    ):
        while expected < index:
            report.problems.append(f"leaf {expected} is missing (deleted from the log)")
            hashes.append(b"\x00" * 32)
            expected += 1
        expected = index + 1
        leaf = bytes(leaf)
        row = events.get(event_id)
        if row is None:
            report.problems.append(f"event #{event_id} (leaf {index}) was deleted")
        else:
            _, type_, at, actor, table, subject, payload, sensitivity = row
            rebuilt = leaves.event_leaf(
                event_id=event_id,
                type=type_,
                occurred_at=at,
                actor=actor,
                table=table,
                subject=subject,
                payload=payload,
                sensitivity=sensitivity,
                salt=bytes(salt) if salt is not None else None,
            )
            if rebuilt != leaf:
                report.problems.append(f"event #{event_id} (leaf {index}) was changed")
        digest = merkle.leaf_hash(leaf)
        if digest != bytes(leaf_hash):
            report.problems.append(f"leaf {index}: its stored hash does not match its bytes")
        if bytes(stored.get(index, b"")) != digest:
            report.problems.append(
                f"leaf {index} does not match the stored tree (changed or reordered)"
            )
        hashes.append(digest)
    if expected != size:
        report.problems.append(f"the log state says {size} leaves but {expected} are stored")
    report.checked.append(f"{len(hashes)} leaves recomputed from their events")
    # every stored subtree, bottom-up
    level, current = 0, hashes
    while len(current) > 1:
        nxt = [merkle.node_hash(current[i], current[i + 1]) for i in range(0, len(current) - 1, 2)]
        level += 1
        for i, h in enumerate(nxt):
            if bytes(stored.get((level << LEVEL_SHIFT) | i, b"")) != h:
                report.problems.append(f"stored subtree {level}/{i} does not match the leaves")
        current = nxt
    key = verifier_key
    if key is None:
        try:
            key = own_key()
        except KeyMissing:
            key = None
    witness_keys = dict(Witness.objects.values_list("name", "verifier_key"))
    for checkpoint in Checkpoint.objects.order_by("size"):
        for line in checkpoint.cosignatures.splitlines():
            name = line.split(" ")[1] if line.count(" ") == 2 else "?"
            key_of_witness = witness_keys.get(name)
            if key_of_witness is None:
                continue  # a witness no longer in the policy: nothing to check it against
            if note.verify_cosignature(checkpoint.note + line + "\n", key_of_witness) is None:
                report.problems.append(
                    f"checkpoint at size {checkpoint.size}: {name}'s cosignature does not verify"
                )
        root = merkle.root_hash(hashes[: checkpoint.size])
        if checkpoint.size > len(hashes) or root != bytes(checkpoint.root):
            report.problems.append(f"checkpoint at size {checkpoint.size}: the root differs")
        if key is not None and not note.verify(checkpoint.note, key):
            report.problems.append(f"checkpoint at size {checkpoint.size}: bad signature")
        else:
            body = note.parse_checkpoint(checkpoint.note)
            if body.size != checkpoint.size or body.root != bytes(checkpoint.root):
                report.problems.append(f"checkpoint at size {checkpoint.size}: note and row differ")
    report.checked.append("stored subtrees, checkpoint roots and witnesses' cosignatures")
    for auditor in hooks.get_hooks(REGISTRY_AUDITOR):
        report.problems.extend(auditor())
    return report
