"""Secrets minga must keep (a field server's API token): encrypted with a key that lives outside
the database, in ``MINGA_SECRETS_KEY_FILE`` (created on first use, readable by its owner only),
like the log's signing key. A backup holds only the ciphertext; restoring it elsewhere needs the
key file too."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class SecretUnreadable(Exception):
    """The stored secret was encrypted with another key (the key file was replaced or lost)."""


def _key() -> bytes:
    path = Path(settings.MINGA_SECRETS_KEY_FILE)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first: read theirs
        else:
            with os.fdopen(fd, "wb") as out:
                out.write(Fernet.generate_key())
    return path.read_bytes().strip()


def seal(text: str) -> bytes:
    """``text`` encrypted (and authenticated); empty text stays empty."""
    return Fernet(_key()).encrypt(text.encode()) if text else b""


def unseal(data: bytes | memoryview | None) -> str:
    if not data:
        return ""
    try:
        return Fernet(_key()).decrypt(bytes(data)).decode()
    except InvalidToken:
        raise SecretUnreadable("the secret was sealed with another key") from None
