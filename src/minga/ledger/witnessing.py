"""The log's side of witnessing: its policy (which witnesses, what quorum) and the collection of
cosignatures for each new checkpoint (C2SP tlog-witness, as a client).

Every witness is asked in parallel, with a timeout and retries on network errors and 5xx
answers. A witness that answers 409 with the size it cosigned last (after a restart of ours, or
when it was down for a while) is asked again with a consistency proof from that size. A
checkpoint is *published* once ``quorum`` witnesses cosigned it; below the quorum the log keeps
integrating and signing, and the worker asks the missing witnesses again every minute
(`tasks.ask_witnesses_again`).
"""

from __future__ import annotations

import http.client
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from minga.ledger import note, queries, witness
from minga.ledger.models import Checkpoint, Witness, WitnessPolicy

logger = logging.getLogger(__name__)
# (url, body, timeout) → (status, content type, text)
Post = Callable[[str, bytes, float], tuple[int, str, str]]
BACKOFF = 0.5  # seconds before the first retry, doubled for each next one
MAX_ROUNDS = 3  # a first request, then up to two more after 409s that name another size


class PolicyError(ValueError):
    """A witness or quorum the policy cannot take."""


def quorum() -> int:
    policy = WitnessPolicy.objects.filter(pk=1).first()
    return policy.quorum if policy else 0


def witnesses() -> list[Witness]:
    return list(Witness.objects.all())


def add_witness(name: str, url: str, verifier_key: str) -> Witness:
    try:
        parsed = note.cosigner_verifier(verifier_key)
    except note.NoteError as exc:
        raise PolicyError(f"{verifier_key!r}: {exc}") from None
    if parsed.name != name:
        raise PolicyError(f"the key is {parsed.name!r}'s, not {name!r}'s")
    if not url.startswith(("http://", "https://")):
        raise PolicyError(f"{url!r} is not an http(s) address")
    found, _ = Witness.objects.update_or_create(
        name=name, defaults={"url": url.rstrip("/"), "verifier_key": verifier_key.strip()}
    )
    return found


def remove_witness(name: str) -> None:
    with transaction.atomic():
        deleted, _ = Witness.objects.filter(name=name).delete()
        if not deleted:
            raise PolicyError(f"no witness named {name!r}")
        if Witness.objects.count() < quorum():
            raise PolicyError(
                f"the quorum is {quorum()}: lower it first (minga witnesses quorum N)"
            )


def set_quorum(value: int) -> None:
    count = Witness.objects.count()
    if not 0 <= value <= count:
        raise PolicyError(f"a quorum is between 0 and the {count} witnesses configured")
    WitnessPolicy.objects.update_or_create(pk=1, defaults={"quorum": value})


def policy_text(log_key: str | None) -> str:
    """The policy as a text any verifier can read (``docs/formats.md``)::

    log <log verifier key>
    witness <name> <verifier key> <url>
    quorum <k>
    """
    lines = [f"log {log_key}"] if log_key else []
    lines += [f"witness {w.name} {w.verifier_key} {w.url}" for w in witnesses()]
    lines.append(f"quorum {quorum()}")
    return "\n".join(lines) + "\n"


def http_post(url: str, body: bytes, timeout: float) -> tuple[int, str, str]:
    request = urllib.request.Request(  # noqa: S310 (the URL is the operator's witness)
        url, data=body, method="POST", headers={"User-Agent": "minga-log"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            return answer.status, answer.headers.get_content_type(), answer.read(8192).decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get_content_type(), exc.read(8192).decode(errors="replace")


@dataclass
class _Outcome:
    status: int = 0
    content_type: str = ""
    text: str = ""
    error: str = ""


def _send(post: Post, url: str, body: bytes) -> _Outcome:
    """One request, retried on network errors and 5xx answers with a growing pause. Never
    raises: whatever goes wrong is the outcome's error."""
    retries = settings.MINGA_WITNESS_RETRIES
    outcome = _Outcome()
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(BACKOFF * 2 ** (attempt - 1))
        try:
            status, content_type, text = post(url, body, settings.MINGA_WITNESS_TIMEOUT)
        except (OSError, ValueError, http.client.HTTPException) as exc:  # refused, reset, garbled
            outcome = _Outcome(error=f"unreachable: {exc or type(exc).__name__}"[:300])
            continue
        outcome = _Outcome(status, content_type, text)
        if status < 500:
            break
    return outcome


def valid_cosigners(checkpoint: Checkpoint, current: list[Witness]) -> dict[str, str]:
    """The current witnesses whose cosignature on ``checkpoint`` verifies with their key, and
    that cosignature line (a witness whose key changed since does not count)."""
    keys = {w.name: w.verifier_key for w in current}
    found = {}
    for line in checkpoint.cosignatures.splitlines():
        name = line.split(" ")[1] if line.count(" ") == 2 else ""
        if name in keys and note.verify_cosignature(checkpoint.note + line + "\n", keys[name]):
            found[name] = line + "\n"
    return found


def _note(w: Witness, **fields: object) -> None:
    """Write only the given fields of one witness (a witness removed meanwhile is no error, and
    a concurrent collection's newer size is never overwritten by an error)."""
    Witness.objects.filter(pk=w.pk).update(**fields)


def collect(checkpoint: Checkpoint, *, post: Post = http_post) -> Checkpoint:
    """Ask every witness that has not cosigned ``checkpoint`` yet; store what they answer and
    whether the quorum is met. Returns the checkpoint, updated."""
    current = witnesses()
    have = valid_cosigners(checkpoint, current)
    pending = [w for w in current if w.name not in have]
    lines: dict[str, str] = {}
    round_ = 0
    while pending and round_ < MAX_ROUNDS:
        round_ += 1
        requests: dict[str, bytes] = {}
        for w in pending:
            if w.size > checkpoint.size:
                _note(w, last_error=f"it already cosigned a larger tree ({w.size})")
                continue
            proof = (
                queries.consistency(w.size, checkpoint.size)["proof"]
                if 0 < w.size < checkpoint.size
                else []
            )
            requests[w.name] = witness.request_body(w.size, proof, checkpoint.note)
        asked = [w for w in pending if w.name in requests]
        with ThreadPoolExecutor(max_workers=max(1, len(asked))) as pool:
            futures = [
                pool.submit(_send, post, f"{w.url}/add-checkpoint", requests[w.name]) for w in asked
            ]
            outcomes = [future.result() for future in futures]
        pending = [
            w
            for w, outcome in zip(asked, outcomes, strict=True)
            if _read_answer(w, checkpoint, outcome, lines)
        ]
    _store(checkpoint, lines)
    return checkpoint


def _read_answer(
    w: Witness, checkpoint: Checkpoint, outcome: _Outcome, lines: dict[str, str]
) -> bool:
    """Record one witness's answer; True when it should be asked again (it named the size it
    holds, and that size can be proved to ours)."""
    if outcome.error:
        _note(w, last_error=outcome.error)
    elif outcome.status == 200:
        mine = [
            line + "\n"
            for line in outcome.text.splitlines()
            if note.verify_cosignature(checkpoint.note + line + "\n", w.verifier_key) is not None
        ]
        if not mine:
            _note(w, last_error="its answer holds no valid cosignature with its key")
            return False
        lines[w.name] = mine[0]
        w.size = checkpoint.size
        _note(w, size=checkpoint.size, cosigned_at=timezone.now(), last_error="")
    elif outcome.status == 409 and outcome.content_type == witness.SIZE_TYPE:
        try:
            held = int(outcome.text.strip())
        except ValueError:
            held = -1
        if held != w.size and 0 <= held <= checkpoint.size:
            if held < w.size:  # it once cosigned more: its state was lost or restored
                logger.warning("witness %s now holds size %s, after cosigning %s", w, held, w.size)
            w.size = held
            _note(w, size=held, last_error="")
            return True
        if held > checkpoint.size:
            _note(w, last_error=f"it already cosigned a larger tree ({held})")
        else:
            _note(w, last_error=f"it answered 409 with size {held} again")
    elif outcome.status == 409:
        _note(
            w,
            last_error="it refused: it cosigned another tree of the same size (a fork)",
        )
    else:
        _note(w, last_error=f"it answered {outcome.status}: {outcome.text.strip()}"[:300])
    return False


def _store(checkpoint: Checkpoint, lines: dict[str, str]) -> None:
    """Add the new cosignatures (a witness's older line, from a key it no longer has, is
    replaced) and count only those of current witnesses that verify."""
    with transaction.atomic():
        fresh = Checkpoint.objects.select_for_update().get(pk=checkpoint.pk)
        kept = [
            line + "\n"
            for line in fresh.cosignatures.splitlines()
            if line and (line.split(" ")[1] if line.count(" ") == 2 else "") not in lines
        ]
        fresh.cosignatures = "".join(kept) + "".join(line for _, line in sorted(lines.items()))
        fresh.cosigned = len(valid_cosigners(fresh, witnesses()))
        fresh.published = fresh.published or fresh.cosigned >= quorum()
        fresh.save(update_fields=["cosignatures", "cosigned", "published"])
    checkpoint.cosignatures = fresh.cosignatures
    checkpoint.cosigned = fresh.cosigned
    checkpoint.published = fresh.published
