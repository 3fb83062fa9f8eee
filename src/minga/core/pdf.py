"""Printable documents: a template rendered to PDF with WeasyPrint, served inline.

WeasyPrint needs Pango from the system. Without it every PDF link answers a plain page that
says so (503), never a server error; `make demo` warns before it starts (scripts/check-system).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve

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
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


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
