from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minga.core.forms import add_errors, status_for
from minga.library import queries, services
from minga.library.forms import DocumentForm, VersionForm
from minga.library.models import Document, DocumentKind
from minga.tables import queries as tables


@require_GET
def library(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.get_table(slug)
    found = list(queries.documents_for(request.user, table))
    shelves = [
        (kind, label, [d for d in found if d.kind == kind]) for kind, label in DocumentKind.choices
    ]
    return render(
        request,
        "library/library.html",
        {
            "table": table,
            "shelves": [shelf for shelf in shelves if shelf[2]],
            "instruments": list(queries.instruments_with_files(table)),
            "may_add": tables.may(request.user, table, "document.add"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def new_document(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.get_table(slug)
    tables.require(request.user, table, "document.add")
    form = DocumentForm(
        request.POST or None,
        request.FILES or None,
        organizations=services.organizations_for(request.user, table),
    )
    if request.method == "POST" and form.is_valid():
        try:
            document = services.add_document(by=request.user, table=table, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The document is in the library."))
            return redirect("library-document", slug=table.slug, public_id=document.public_id)
    return render(
        request,
        "library/document_new.html",
        {"table": table, "form": form},
        status=status_for(request),
    )


@require_GET
def document(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table = tables.get_table(slug)
    found = queries.get_document(request.user, table, public_id)
    return _document_page(request, found)


def _document_page(
    request: HttpRequest, found: Document, form: forms.Form | None = None, status: int = 200
) -> HttpResponse:
    may_add = services.may_add_version(request.user, found)
    return render(
        request,
        "library/document.html",
        {
            "table": found.table,
            "document": found,
            "versions": list(found.versions.all()),
            "form": (form or VersionForm()) if may_add else None,
        },
        status=status,
    )


@login_required
@require_POST
def add_version(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table = tables.get_table(slug)
    found = queries.get_document(request.user, table, public_id)
    if not services.may_add_version(request.user, found):
        raise PermissionDenied(
            _("Only the document's organization or the secretariat may do this.")
        )
    form = VersionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            version = services.add_version(by=request.user, document=found, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _("Version %(number)s is added; the earlier ones are kept.")
                % {"number": version.number},
            )
            return redirect("library-document", slug=table.slug, public_id=found.public_id)
    return _document_page(request, found, form, status=400)


@login_required
@require_POST
def keep_offline(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table = tables.get_table(slug)
    found = queries.get_document(request.user, table, public_id)
    offline = request.POST.get("offline") == "1"
    services.keep_offline(by=request.user, document=found, offline=offline)
    messages.success(
        request,
        _("Members' phones will keep this document for offline use.")
        if offline
        else _("Members' phones no longer keep this document."),
    )
    return redirect("library-document", slug=table.slug, public_id=found.public_id)


@require_GET
def download(request: HttpRequest, slug: str, public_id: str, number: int) -> FileResponse:
    table = tables.get_table(slug)
    found = queries.get_document(request.user, table, public_id)
    version = found.versions.filter(number=number).first()
    if version is None:
        raise Http404
    return FileResponse(version.file.open("rb"), as_attachment=True, filename=version.filename)
