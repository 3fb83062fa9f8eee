#!/usr/bin/env python3
"""Check a minga retirement certificate with nothing but the certificate and the log's key.

    python3 verify_certificate.py CERTIFICATE.json [--key VERIFIER_KEY]

CERTIFICATE.json is what https://<minga>/credits/retirements/<id>.json serves: the leaf (the
retirement event's canonical JSON), its index, the tree size, the inclusion proof (base64) and the
signed checkpoint. The verifier key defaults to the one in the file; pass the key you trust (from
the table, a witness or a bank) with --key. Needs Python 3.10+ and the `cryptography` package
(Ed25519); it imports nothing from minga. Exit status 0 when everything checks, 1 otherwise.

What it checks:
1. the checkpoint is a C2SP signed note whose Ed25519 signature verifies with the key;
2. the checkpoint's size is the certificate's tree size;
3. SHA-256(0x00 || leaf) is included at the index in the checkpoint's root (RFC 9162 2.1.3.2);
4. the leaf is a `credits.credits_retired` event, and prints what it says was retired.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
from pathlib import Path


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("certificate")
    parser.add_argument("--key", help="the log's verifier key you trust")
    args = parser.parse_args()
    certificate = json.loads(Path(args.certificate).read_text(encoding="utf-8"))
    if certificate.get("status") != "included":
        print("the certificate is not yet included in a signed checkpoint")
        return 1
    problems = check(certificate, args.key or certificate["verifier_key"])
    if problems:
        for p in problems:
            print("FAIL", p)
        return 1
    payload = json.loads(certificate["leaf"])["payload"]
    print(
        f"OK: {payload['amount']} credits of {payload['batch']} retired for "
        f"{payload['beneficiary']} ({payload['jurisdiction']}), leaf {certificate['index']} "
        f"of {certificate['size']} in the signed log"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
