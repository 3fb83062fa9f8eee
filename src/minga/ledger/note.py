"""C2SP signed notes with Ed25519, and tlog checkpoints. Pure (uses ``cryptography``, no Django).

* A **verifier key** is ``<name>+<key id, 8 hex>+<base64(0x01 || public key)>``, with
  ``key id = SHA-256(name || "\\n" || 0x01 || public key)[:4]``.
* A **signer key** is ``PRIVATE+KEY+<name>+<key id>+<base64(0x01 || private seed)>``.
* A **signed note** is its text (non-empty, ending in a newline), a blank line, and one line per
  signature: ``— <name> <base64(key id || signature)>``; the signature covers the text, final
  newline included.
* A **checkpoint** (C2SP tlog-checkpoint) is a note whose text is ``<origin>\\n<size>\\n<base64
  root>\\n`` followed by optional extension lines.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ALG_ED25519 = 0x01
DASH = "\u2014"


class NoteError(ValueError):
    """A key, note or checkpoint that does not follow its C2SP format."""


def key_id(name: str, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([ALG_ED25519]) + public).digest()[:4]


def _valid_name(name: str) -> bool:
    return bool(name) and "+" not in name and not any(c.isspace() for c in name)


def generate(name: str) -> tuple[str, str]:
    """A new (signer key, verifier key) pair for ``name`` (e.g. the log's origin)."""
    if not _valid_name(name):
        raise NoteError(f"{name!r}: a key name has no spaces and no '+'")
    private = Ed25519PrivateKey.generate()
    seed = private.private_bytes_raw()
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    kid = key_id(name, public).hex()
    signer = f"PRIVATE+KEY+{name}+{kid}+" + base64.b64encode(bytes([ALG_ED25519]) + seed).decode()
    return signer, verifier_from_public(name, public)


def verifier_from_public(name: str, public: bytes) -> str:
    kid = key_id(name, public).hex()
    return f"{name}+{kid}+" + base64.b64encode(bytes([ALG_ED25519]) + public).decode()


@dataclass(frozen=True)
class Verifier:
    name: str
    key_id: bytes
    public: Ed25519PublicKey


def parse_verifier(vkey: str) -> Verifier:
    try:
        name, kid_hex, b64 = vkey.strip().split("+", 2)
        raw = base64.b64decode(b64, validate=True)
        kid = bytes.fromhex(kid_hex)
    except (ValueError, binascii.Error):
        raise NoteError("a verifier key is name+keyid+base64") from None
    if not _valid_name(name) or len(kid) != 4 or len(raw) != 33 or raw[0] != ALG_ED25519:
        raise NoteError("not an Ed25519 verifier key")
    if key_id(name, raw[1:]) != kid:
        raise NoteError("the key id does not match the key")
    return Verifier(name, kid, Ed25519PublicKey.from_public_bytes(raw[1:]))


@dataclass(frozen=True)
class Signer:
    name: str
    key_id: bytes
    private: Ed25519PrivateKey

    @property
    def verifier_key(self) -> str:
        public = self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return verifier_from_public(self.name, public)


def parse_signer(skey: str) -> Signer:
    try:
        private_tag, key_tag, name, kid_hex, b64 = skey.strip().split("+", 4)
        raw = base64.b64decode(b64, validate=True)
        kid = bytes.fromhex(kid_hex)
    except (ValueError, binascii.Error):
        raise NoteError("a signer key is PRIVATE+KEY+name+keyid+base64") from None
    if (private_tag, key_tag) != ("PRIVATE", "KEY") or len(raw) != 33 or raw[0] != ALG_ED25519:
        raise NoteError("not an Ed25519 signer key")
    private = Ed25519PrivateKey.from_private_bytes(raw[1:])
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    if key_id(name, public) != kid:
        raise NoteError("the key id does not match the key")
    return Signer(name, kid, private)


def sign(text: str, signer_key: str) -> str:
    """The signed note of ``text`` (which must end in a newline and hold no blank line)."""
    if not text.endswith("\n") or "\n\n" in text or text.startswith("\n"):
        raise NoteError("a note's text ends with a newline and has no blank line")
    signer = parse_signer(signer_key)
    signature = signer.private.sign(text.encode())
    line = base64.b64encode(signer.key_id + signature).decode()
    return f"{text}\n{DASH} {signer.name} {line}\n"


def split(signed_note: str) -> tuple[str, list[tuple[str, bytes]]]:
    """Text and ``(name, key id || signature)`` pairs; raises :class:`NoteError`."""
    if not signed_note.endswith("\n"):
        raise NoteError("a signed note ends with a newline")
    cut = signed_note.rfind("\n\n")
    if cut < 0:
        raise NoteError("no blank line before the signatures")
    text, block = signed_note[: cut + 1], signed_note[cut + 2 :]
    signatures = []
    for line in block.splitlines():
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != DASH:
            raise NoteError("a signature line is '— name base64'")
        try:
            raw = base64.b64decode(parts[2], validate=True)
        except binascii.Error:
            raise NoteError("a signature is not base64") from None
        if len(raw) < 5:
            raise NoteError("a signature is too short")
        signatures.append((parts[1], raw))
    if not signatures:
        raise NoteError("the note has no signature")
    return text, signatures


def verify(signed_note: str, verifier_key: str) -> bool:
    """True when ``signed_note`` carries a valid signature by ``verifier_key``; False otherwise."""
    try:
        verifier = parse_verifier(verifier_key)
        text, signatures = split(signed_note)
    except (NoteError, ValueError, TypeError, AttributeError):
        return False
    for name, raw in signatures:
        if name == verifier.name and raw[:4] == verifier.key_id:
            try:
                verifier.public.verify(raw[4:], text.encode())
            except InvalidSignature:
                return False
            return True
    return False


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        lines = [
            self.origin,
            str(self.size),
            base64.b64encode(self.root).decode(),
            *self.extensions,
        ]
        return "\n".join(lines) + "\n"


def parse_checkpoint(text: str) -> Checkpoint:
    """The body of a checkpoint (the text of its note, or the whole signed note)."""
    body = text.split("\n\n", 1)[0] + "\n" if "\n\n" in text else text
    lines = body.rstrip("\n").split("\n")
    if len(lines) < 3 or not lines[0]:
        raise NoteError("a checkpoint has an origin, a size and a root hash")
    try:
        size = int(lines[1])
        root = base64.b64decode(lines[2], validate=True)
    except (ValueError, binascii.Error):
        raise NoteError("the checkpoint's size or root does not parse") from None
    if size < 0 or lines[1] != str(size) or len(root) != 32:
        raise NoteError("the checkpoint's size or root is malformed")
    return Checkpoint(lines[0], size, root, tuple(lines[3:]))


# --- cosignatures (C2SP tlog-cosignature, cosignature/v1 over Ed25519) ------------------------------

ALG_COSIGNATURE_V1 = 0x04
COSIGNATURE_HEADER = "cosignature/v1"


def cosigner_key_id(name: str, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([ALG_COSIGNATURE_V1]) + public).digest()[:4]


def generate_cosigner(name: str) -> tuple[str, str]:
    """A new witness key pair: (signer key, verifier key with signature type 0x04)."""
    if not _valid_name(name):
        raise NoteError(f"{name!r}: a key name has no spaces and no '+'")
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    kid = cosigner_key_id(name, public).hex()
    seed = base64.b64encode(bytes([ALG_COSIGNATURE_V1]) + private.private_bytes_raw()).decode()
    vkey = f"{name}+{kid}+" + base64.b64encode(bytes([ALG_COSIGNATURE_V1]) + public).decode()
    return f"PRIVATE+KEY+{name}+{kid}+{seed}", vkey


def _parse_cosigner(key: str, private: bool) -> tuple[str, bytes, bytes]:
    """(name, key id, raw key) of a cosigner key; raises :class:`NoteError`."""
    try:
        parts = key.strip().split("+", 4 if private else 2)
        if private:
            if parts[:2] != ["PRIVATE", "KEY"]:
                raise ValueError
            parts = parts[2:]
        name, kid_hex, b64 = parts
        raw = base64.b64decode(b64, validate=True)
        kid = bytes.fromhex(kid_hex)
    except (ValueError, binascii.Error):
        raise NoteError("a witness key is [PRIVATE+KEY+]name+keyid+base64") from None
    if not _valid_name(name) or len(raw) != 33 or raw[0] != ALG_COSIGNATURE_V1:
        raise NoteError("not an Ed25519 cosignature/v1 key (type 0x04)")
    return name, kid, raw[1:]


def cosigner_verifier(vkey: str) -> Verifier:
    name, kid, raw = _parse_cosigner(vkey, private=False)
    if cosigner_key_id(name, raw) != kid:
        raise NoteError("the key id does not match the key")
    return Verifier(name, kid, Ed25519PublicKey.from_public_bytes(raw))


def cosigner_signer(skey: str) -> Signer:
    name, kid, raw = _parse_cosigner(skey, private=True)
    private = Ed25519PrivateKey.from_private_bytes(raw)
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    if cosigner_key_id(name, public) != kid:
        raise NoteError("the key id does not match the key")
    return Signer(name, kid, private)


def cosigner_public_key(signer: Signer) -> str:
    """The verifier key (type 0x04) of a witness's signer."""
    public = signer.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return (
        f"{signer.name}+{signer.key_id.hex()}+"
        + base64.b64encode(bytes([ALG_COSIGNATURE_V1]) + public).decode()
    )


def _cosigned_message(body: str, timestamp: int) -> bytes:
    return f"{COSIGNATURE_HEADER}\ntime {timestamp}\n{body}".encode()


def cosign(body: str, signer: Signer, timestamp: int) -> str:
    """The cosignature line (``— name base64(key id || timestamp || signature)``, newline-ended)
    of a checkpoint's note body."""
    if not 0 <= timestamp < 2**63:
        raise NoteError("a cosignature's time is a POSIX timestamp below 2^63")
    signature = signer.private.sign(_cosigned_message(body, timestamp))
    raw = signer.key_id + timestamp.to_bytes(8, "big") + signature
    return f"{DASH} {signer.name} {base64.b64encode(raw).decode()}\n"


def verify_cosignature(signed_note: str, vkey: str) -> int | None:
    """The time of ``vkey``'s valid cosignature on the checkpoint ``signed_note``, or None."""
    try:
        verifier = cosigner_verifier(vkey)
        text, signatures = split(signed_note)
    except (NoteError, ValueError, TypeError, AttributeError):
        return None
    for name, raw in signatures:
        if name != verifier.name or raw[:4] != verifier.key_id or len(raw) != 4 + 8 + 64:
            continue
        timestamp = int.from_bytes(raw[4:12], "big")
        if timestamp >= 2**63:
            continue
        try:
            verifier.public.verify(raw[12:], _cosigned_message(text, timestamp))
        except InvalidSignature:
            continue
        return timestamp
    return None
