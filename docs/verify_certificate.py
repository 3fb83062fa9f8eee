#!/usr/bin/env python3
"""Check a minga retirement certificate with nothing but the certificate and a key you trust.

    python3 verify_certificate.py CERTIFICATE.json --key VERIFIER_KEY
    python3 verify_certificate.py CERTIFICATE.json --site https://minga.example [--pins FILE]
    python3 verify_certificate.py CERTIFICATE.json --policy POLICY

CERTIFICATE.json is what https://<minga>/credits/retirements/<id>.json serves: the leaf (the
retirement event's canonical JSON), its index, the tree size, the inclusion proof (base64) and the
signed checkpoint. A signature proves something only with a key you trust: give it with --key (from
the table, a witness or a bank), or with --site to fetch the table's key from <site>/log/key and
pin it in FILE (default ~/.config/minga/pinned-keys.json): the first fetch pins it, a later key
that differs is refused. Or give a witness policy (the table's /log/policy, as its members agreed
it: the log's key, its witnesses' keys and the quorum): then the checkpoint must also carry valid
cosignatures (C2SP tlog-cosignature) by at least the quorum of those witnesses, which is what
proves that everyone was shown the same log. Without any of these, the key inside the certificate
is all there is, and anyone can put their own key there: the script then says that nothing was
proved and exits 2.
Needs Python 3.10+ and the `cryptography` package (Ed25519); it imports nothing from minga. Exit
status 0 when everything checks with a trusted key, 1 when something fails, 2 when unproved.

What it checks:
1. the checkpoint is a C2SP signed note whose Ed25519 signature verifies with the trusted key;
2. the checkpoint's size is the certificate's tree size;
3. SHA-256(0x00 || leaf) is included at the index in the checkpoint's root (RFC 9162 2.1.3.2);
4. the leaf is a `credits.credits_retired` event, and prints what it says was retired;
5. with --policy, that at least the policy's quorum of witnesses cosigned the checkpoint.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
import urllib.parse
import urllib.request
from pathlib import Path

PINS = Path.home() / ".config" / "minga" / "pinned-keys.json"


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(leaf: bytes, index: int, size: int, proof: list[bytes], root: bytes) -> bool:
    if index < 0 or index >= size or len(root) != 32 or any(len(p) != 32 for p in proof):
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_note(signed: str, vkey: str) -> str | None:
    """The note's text when one of its signatures verifies with ``vkey``, else None."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    name, key_id_hex, b64 = vkey.strip().split("+", 2)
    raw = base64.b64decode(b64)
    if len(raw) != 33 or raw[0] != 1:
        return None
    key_id = hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4]
    if key_id.hex() != key_id_hex:
        return None
    cut = signed.rfind("\n\n")
    if cut < 0:
        return None
    text = signed[: cut + 1]
    for line in signed[cut + 2 :].splitlines():
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != "\u2014" or parts[1] != name:
            continue
        sig = base64.b64decode(parts[2])
        if sig[:4] != key_id:
            continue
        try:
            Ed25519PublicKey.from_public_bytes(raw[1:]).verify(sig[4:], text.encode())
        except InvalidSignature:
            return None
        return text
    return None


def verify_cosignature(signed: str, vkey: str) -> bool:
    """Does ``signed`` carry a valid cosignature/v1 (Ed25519, key type 0x04) by ``vkey``?"""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        name, key_id_hex, b64 = vkey.strip().split("+", 2)
        raw = base64.b64decode(b64, validate=True)
    except ValueError:  # binascii.Error is a ValueError
        return False
    if len(raw) != 33 or raw[0] != 4:
        return False
    key_id = hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4]
    cut = signed.rfind("\n\n")
    if key_id.hex() != key_id_hex or cut < 0:
        return False
    text = signed[: cut + 1]
    for line in signed[cut + 2 :].splitlines():
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != "\u2014" or parts[1] != name:
            continue
        try:
            sig = base64.b64decode(parts[2], validate=True)
        except ValueError:
            continue
        if sig[:4] != key_id or len(sig) != 76:
            continue
        message = f"cosignature/v1\ntime {int.from_bytes(sig[4:12], 'big')}\n{text}"
        try:
            Ed25519PublicKey.from_public_bytes(raw[1:]).verify(sig[12:], message.encode())
        except InvalidSignature:
            continue
        return True
    return False


def read_policy(text: str) -> tuple[str | None, list[tuple[str, str]], int]:
    """(log key, [(witness name, witness key)], quorum) of a policy file; ValueError when it
    has no quorum line, names a witness twice, or asks more witnesses than it lists."""
    log_key, witnesses, quorum = None, [], None
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if words[:1] == ["log"] and len(words) == 2:
            log_key = words[1]
        elif words[:1] == ["witness"] and len(words) >= 3:
            if any(words[1] == name or words[2] == key for name, key in witnesses):
                raise ValueError(f"the policy lists {words[1]} twice")
            witnesses.append((words[1], words[2]))
        elif words[:1] == ["quorum"] and len(words) == 2 and words[1].isdigit():
            quorum = int(words[1])
        elif words:
            raise ValueError(f"the policy has a line it cannot read: {line.strip()!r}")
    if quorum is None or quorum > len(witnesses):
        raise ValueError("a policy ends with 'quorum K', K at most its number of witnesses")
    return log_key, witnesses, quorum


def check_witnesses(certificate: dict, policy: str) -> list[str]:
    _, witnesses, quorum = read_policy(policy)
    signed = certificate["checkpoint"]
    cosigned = [name for name, vkey in witnesses if verify_cosignature(signed, vkey)]
    if len(cosigned) < quorum:
        return [
            f"the checkpoint is cosigned by {len(cosigned)} of the policy's witnesses "
            f"({', '.join(cosigned) or 'none'}); the policy needs {quorum}"
        ]
    print(f"cosigned by {len(cosigned)} witnesses (quorum {quorum}): {', '.join(cosigned)}")
    return []


def check(certificate: dict, vkey: str) -> list[str]:
    problems = []
    text = verify_note(certificate["checkpoint"], vkey)
    if text is None:
        return ["the checkpoint's signature does not verify with the key"]
    lines = text.rstrip("\n").split("\n")
    size, root = int(lines[1]), base64.b64decode(lines[2])
    if size != certificate["size"]:
        problems.append(
            f"the checkpoint is for size {size}, the certificate says {certificate['size']}"
        )
    leaf = certificate["leaf"].encode()
    proof = [base64.b64decode(p) for p in certificate["proof"]]
    if not verify_inclusion(leaf_hash(leaf), certificate["index"], size, proof, root):
        problems.append("the leaf is not included at its index under the signed root")
    event = json.loads(leaf)
    if event.get("type") != "credits.credits_retired":
        problems.append(f"the leaf is a {event.get('type')!r} event, not a retirement")
    return problems


def site_key(site: str, pins: Path) -> str:
    """The table's key from ``<site>/log/key``, pinned on first use; a different key later is an
    error (the site changed its key, or someone stands between you and it)."""
    parts = urllib.parse.urlsplit(site.strip())
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ValueError(f"{site!r} is not a site address like https://minga.example")
    origin = f"{parts.scheme}://{parts.netloc}"
    with urllib.request.urlopen(f"{origin}/log/key", timeout=30) as answer:  # noqa: S310
        key = answer.read(4096).decode("ascii").strip()
    pinned = json.loads(pins.read_text(encoding="utf-8")) if pins.exists() else {}
    if origin in pinned and pinned[origin] != key:
        raise ValueError(
            f"{origin} now serves a different key than the one pinned in {pins}: "
            f"{key} instead of {pinned[origin]}. Ask the table before trusting it."
        )
    if origin not in pinned:
        pinned[origin] = key
        pins.parent.mkdir(parents=True, exist_ok=True)
        pins.write_text(json.dumps(pinned, indent=2) + "\n", encoding="utf-8")
        print(f"pinned {origin}'s key in {pins}: {key}")
    return key


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("certificate")
    parser.add_argument("--key", help="the log's verifier key you trust")
    parser.add_argument("--site", help="the table's minga site: fetch its key and pin it")
    parser.add_argument("--pins", type=Path, default=PINS, help=f"pinned keys (default {PINS})")
    parser.add_argument("--policy", type=Path, help="the table's witness policy (/log/policy)")
    args = parser.parse_args()
    certificate = json.loads(Path(args.certificate).read_text(encoding="utf-8"))
    if certificate.get("status") == "awaiting-witnesses":
        print("the certificate awaits its witnesses' cosignatures: fetch it again later")
        return 1
    if certificate.get("status") != "included":
        print("the certificate is not yet included in a signed checkpoint")
        return 1
    policy = args.policy.read_text(encoding="utf-8") if args.policy else None
    try:
        trusted = args.key or (read_policy(policy)[0] if policy else None)
    except ValueError as exc:
        print("FAIL", exc)
        return 1
    if args.site:
        try:
            trusted = site_key(args.site, args.pins)
        except (OSError, ValueError) as exc:
            print("FAIL", exc)
            return 1
    problems = check(certificate, trusted or certificate["verifier_key"])
    if policy is not None:
        problems += check_witnesses(certificate, policy)
    if problems:
        for p in problems:
            print("FAIL", p)
        return 1
    payload = json.loads(certificate["leaf"])["payload"]
    said = (
        f"{payload['amount']} credits of {payload['batch']} retired for "
        f"{payload['beneficiary']} ({payload['jurisdiction']}), leaf {certificate['index']} "
        f"of {certificate['size']}"
    )
    if not trusted:
        print(
            "UNPROVED: the checkpoint verifies only with the key written inside the certificate, "
            "and anyone can write their own key there, so nothing is proved. Run again with "
            "--key (the table's key from the table, a witness or a bank) or --site "
            f"https://<the table's minga>. The certificate says: {said}."
        )
        return 2
    print(f"OK: {said} in the log signed by {trusted.split('+', 1)[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
