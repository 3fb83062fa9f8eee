"""Public identifiers: short, unguessable, URL-safe, stable across databases."""

import secrets

_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i: read aloud over a radio link
PUBLIC_ID_LENGTH = 10


def new_public_id() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(PUBLIC_ID_LENGTH))


def new_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)
