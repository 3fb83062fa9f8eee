"""What may be uploaded: a size limit and a list of types per kind of file, checked by name and by
the file's first bytes (a renamed executable is not a PDF). Rasters are never uploaded through
the web: they are registered from files under MINGA_RASTER_ROOT (see satellite.services)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The first bytes of each type (None: text, checked to be UTF-8 or Latin-1 without NUL bytes).
_ZIP = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # legacy .doc
MAGIC: dict[str, tuple[bytes, ...] | None] = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "webp": (b"RIFF",),
    "xlsx": _ZIP,
    "docx": _ZIP,
    "odt": _ZIP,
    "doc": _OLE,
    "zip": _ZIP,
    "tif": (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"),
    "tiff": (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"),
    "csv": None,
    "json": None,
    "geojson": None,
    "xml": None,
    "vrt": None,
}


@dataclass(frozen=True)
class Kind:
    types: tuple[str, ...]
    setting: str  # the setting holding its limit in MB


KINDS = {
    "spreadsheet": Kind(("xlsx", "csv"), "MINGA_MAX_SPREADSHEET_MB"),
    "field": Kind(("csv", "json", "geojson", "xml", "xlsx", "zip"), "MINGA_MAX_FIELD_FILE_MB"),
    "document": Kind(("pdf", "odt", "doc", "docx", "jpg", "jpeg", "png"), "MINGA_MAX_DOCUMENT_MB"),
    "photo": Kind(("jpg", "jpeg", "png", "webp"), "MINGA_MAX_PHOTO_MB"),
    "evidence": Kind(
        ("jpg", "jpeg", "png", "webp", "pdf", "odt", "doc", "docx"), "MINGA_MAX_DOCUMENT_MB"
    ),
    "geojson": Kind(("geojson", "json"), "MINGA_MAX_FIELD_FILE_MB"),
    "hub": Kind(("json",), "MINGA_MAX_SPREADSHEET_MB"),  # a Local Contexts Hub project
    "raster": Kind(("tif", "tiff", "vrt"), "MINGA_MAX_RASTER_MB"),
}


def limit_bytes(kind: str) -> int:
    return int(getattr(settings, KINDS[kind].setting)) * 1024 * 1024


def _type_of(name: str) -> str:
    return PurePath(name or "").suffix.lower().lstrip(".")


def check_upload(upload: Any, kind: str) -> None:
    """Refuse a file too large or not of the kind's types, with a message that says which."""
    spec = KINDS[kind]
    name = getattr(upload, "name", "") or ""
    suffix = _type_of(name)
    if suffix not in spec.types:
        raise ValidationError(
            _("%(name)s is not a file minga accepts here. Accepted: %(types)s.")
            % {"name": name or "?", "types": ", ".join(f".{t}" for t in spec.types)},
            code="upload_type",
        )
    size = getattr(upload, "size", None)
    limit = limit_bytes(kind)
    if size is not None and size > limit:
        raise ValidationError(
            _("%(name)s is %(size)s MB; the largest file accepted here is %(limit)s MB.")
            % {"name": name, "size": f"{size / 1048576:.1f}", "limit": limit // 1048576},
            code="upload_size",
        )
    head = _head(upload)
    magic = MAGIC.get(suffix)
    ok = b"\x00" not in head if magic is None else any(head.startswith(m) for m in magic)
    if not ok:
        raise ValidationError(
            _("%(name)s does not contain what its name says (.%(type)s): nothing was saved.")
            % {"name": name, "type": suffix},
            code="upload_content",
        )


def _head(upload: Any, size: int = 2048) -> bytes:
    if isinstance(upload, bytes | bytearray):
        return bytes(upload[:size])
    position = upload.tell() if hasattr(upload, "tell") else 0
    head = upload.read(size)
    if hasattr(upload, "seek"):
        upload.seek(position)
    return head if isinstance(head, bytes) else head.encode()
