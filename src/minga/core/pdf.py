"""Printable documents: a template rendered to PDF with WeasyPrint, served inline.

WeasyPrint needs Pango from the system. Without it every PDF link answers a plain page that
says so (503), never a server error; `make demo` warns before it starts (scripts/check-system).
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve

logger = logging.getLogger(__name__)
PANGO_PACKAGES = "apt-get install libpango-1.0-0 libpangoft2-1.0-0"


def pdf_response(
    request: HttpRequest, template: str, context: dict[str, Any], *, filename: str
) -> HttpResponse:
    try:
        # Imported here: WeasyPrint (Pango) loads only when a PDF is made.
        from weasyprint import HTML
    except (ImportError, OSError):  # OSError: WeasyPrint found no Pango library
        return pdf_unavailable(request)
    html = render_to_string(template, context, request=request)
    base_url = request.build_absolute_uri("/")
    pdf = _cached(html, base_url) or _keep(
        html, base_url, HTML(string=html, base_url=base_url).write_pdf()
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# PDFs already made, by the hash of the page they were made from (a viewer can only hit a file
# made from exactly what they may see); the oldest go beyond this many.
PDF_CACHE_FILES = 300


def _cache_path(html: str, base_url: str) -> Path:
    key = hashlib.sha256(f"{base_url}\0{html}".encode()).hexdigest()
    return Path(settings.DATA_DIR) / "pdf-cache" / f"{key}.pdf"


def _cached(html: str, base_url: str) -> bytes | None:
    """A PDF made before from the same page (WeasyPrint takes seconds for a long minutes)."""
    try:
        return _cache_path(html, base_url).read_bytes()
    except OSError:
        return None


def _keep(html: str, base_url: str, pdf: bytes) -> bytes:
    path = _cache_path(html, base_url)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(pdf)
        partial.replace(path)  # whole or not at all, for a reader in another process
        kept = sorted(path.parent.glob("*.pdf"), key=lambda p: p.stat().st_mtime)
        for old in kept[:-PDF_CACHE_FILES]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # a full or read-only disk: the PDF is still served, only not kept
    return pdf


def warm_up() -> bool:
    """Load WeasyPrint and its fonts once, before the first visitor asks for a PDF (the first
    PDF of a process otherwise waits seconds for them). False where the system has no Pango."""
    try:
        # Imported here: WeasyPrint (Pango) loads only where PDFs are made.
        from weasyprint import HTML
    except (ImportError, OSError):
        return False
    try:
        HTML(string="<p>minga</p>").write_pdf()
    except Exception:  # a broken font setup fails the PDFs (their page says so), not the server
        logger.exception("WeasyPrint could not make a test PDF")
        return False
    return True


def pdf_unavailable(request: HttpRequest) -> HttpResponse:
    """The page a PDF link answers while the server cannot make PDFs, with a link to the page
    that shows the same content (``x.pdf`` → ``x/``, else the folder the PDF is in)."""
    base = request.path.removesuffix(".pdf")
    back = ""
    for candidate in (base + "/", base.rsplit("/", 1)[0] + "/"):
        try:
            resolve(candidate)
        except Resolver404:
            continue
        back = candidate
        break
    context = {"command": PANGO_PACKAGES, "back": back}
    return render(request, "core/pdf_unavailable.html", context, status=503)
