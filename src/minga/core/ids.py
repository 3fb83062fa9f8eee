"""Public identifiers: short, unguessable, URL-safe, stable across databases."""

import re
import secrets

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i: read aloud over a radio link
PUBLIC_ID_LENGTH = 10


def new_public_id() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(PUBLIC_ID_LENGTH))


def new_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


# An IATI identifier: an organisation prefix and the publisher's own part, joined by hyphens,
# without the characters the IATI Standard Ruleset forbids (/ & | ?) or spaces.
_IATI = re.compile(r"^[A-Za-z0-9][^/&|?\s]*-[^/&|?\s]+$")


def validate_iati_identifier(value: str) -> None:
    if value and not _IATI.match(value):
        raise ValidationError(
            _(
                "%(value)s is not an IATI identifier: it looks like XM-DAC-46012-EC-L1249, "
                "without spaces or any of / & | ?."
            ),
            code="iati_identifier",
            params={"value": value},
        )
