from __future__ import annotations

import io
import json
import uuid
import zipfile
from pathlib import PurePath
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats as date_formats
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minga.agreements.models import Agreement
from minga.core import clusters, outbox
from minga.core.forms import add_errors
from minga.core.models import RunStatus
from minga.core.pages import other_params, page_of
from minga.core.svgmap import outline_svg
from minga.core.uploads import check_upload
from minga.monitoring import connectors, formats, mapping, queries, services, sync
from minga.monitoring.forms import ObservationForm
from minga.monitoring.models import (
    KIND_CHOICES,
    CategoryMapping,
    FieldImport,
    FieldSource,
    SourceSync,
)
from minga.monitoring.xlsform import patrol_xlsform
from minga.tables import queries as tables
from minga.tables.models import Organization


@require_GET
def observations(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.get_table(slug)
    found = queries.observations_for(request.user, table)
    category = mapping.normalize(request.GET.get("category", ""))
    if category:
        found = found.filter(pk__in=queries.with_category(table, category))
    outside = request.GET.get("outside") == "1"
    if outside:
        found = found.filter(outside=True)
    may_import = tables.may(request.user, table, "monitoring.import")
    page = page_of(request, found)
    return render(
        request,
        "monitoring/observations.html",
        {
            "table": table,
            "observations": page.object_list,
            "count": page.paginator.count,
            "page": page,
            "params": other_params(request),
            "patrols": list(queries.patrols_of(table)[:50])
            if tables.roles_for(request.user, table)
            else [],
            "outline": outline_svg(
                [(t.shape, t.name) for t in tables.territories_for(request.user, table)],
                title=table.name,
            ),
            "may_import": may_import,
            "alerts": list(queries.alerts_for(request.user, table)[:20]),
            "category": category,
            "outside": outside,
            "category_codes": queries.category_codes(table) if may_import else [],
            "unmapped": queries.unmapped_count(table) if may_import else 0,
        },
    )


@outbox.once
@login_required
@require_http_methods(["GET", "POST"])
def record(request: HttpRequest, slug: str) -> HttpResponse:
    """A monitor records one observation from the field, with a photo; with no connection the
    phone keeps it and sends it when the link returns (once: its key is its identity)."""
    table = tables.get_table(slug)
    tables.require(request.user, table, "monitoring.import")
    form = ObservationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        key = request.POST.get(outbox.KEY_FIELD) or uuid.uuid4().hex
        try:
            observation = services.record_observation(
                by=request.user, table=table, key=key, **form.cleaned_data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _("The observation is recorded: %(kind)s, %(when)s.")
                % {
                    "kind": observation.get_kind_display(),
                    "when": date_formats.date_format(
                        timezone.localtime(observation.observed_at), "DATETIME_FORMAT"
                    ),
                },
            )
            return redirect("observations", slug=table.slug)
    if form.errors:
        errors = [str(e) for field in form.errors.values() for e in field]
        typed = [
            request.POST.get(name, "") for name in ("kind", "observed_at", "lat", "lon", "notes")
        ]
        outbox.explain(
            request, "refused", " ".join(errors), yours=" · ".join(t for t in typed if t)
        )
    return render(
        request,
        "monitoring/observation_new.html",
        {"table": table, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def photo(request: HttpRequest, slug: str, public_id: str, number: int) -> FileResponse:
    """A photo recorded in minga's form, to those who may see its observation."""
    table = tables.get_table(slug)
    found = queries.observations_for(request.user, table).filter(public_id=public_id).first()
    if found is None or found.source != services.WEB or not 0 < number <= len(found.photos):
        raise Http404
    media = found.photos[number - 1]
    return FileResponse(default_storage.open(media["url"], "rb"), content_type=media["type"])


@require_GET
def geojson(request: HttpRequest, slug: str) -> JsonResponse:
    """The viewer's observations (newest first) and patrol tracks, for download; ``?limit=N``
    keeps the N newest. The page's map reads the grouped answer (``clusters_geojson``)."""
    table = tables.get_table(slug)
    try:
        limit = max(1, int(request.GET["limit"])) if request.GET.get("limit") else None
    except ValueError:
        return JsonResponse({"detail": _("limit must be a whole number.")}, status=400)
    response = JsonResponse(queries.geojson_for(request.user, table, limit=limit))
    response["Content-Type"] = "application/geo+json"
    return response


@require_GET
def clusters_geojson(request: HttpRequest, slug: str) -> JsonResponse:
    """Every observation the viewer may see, grouped for the map at zoom ``z`` within
    ``bbox=west,south,east,north`` (see minga.core.clusters)."""
    table = tables.get_table(slug)
    return clusters.answer(
        request.GET, lambda view: queries.clustered_geojson(request.user, table, view)
    )


def _format_error(name: str, error: formats.FormatError) -> str:
    """Why a file could not be read, in the reader's language."""
    reasons = {
        "json": _("it is not valid JSON"),
        "deep": _("it is nested far too deeply to be a field export"),
        "empty": _("it is empty"),
        "csv": _("it is not a CSV export with a header row (and, for ODK, a KEY column)"),
        "zip": _("the zip is damaged or holds no CSV export"),
        "xml": _("it is not a SMART patrol XML export"),
        "xlsx": _("it is not an XLSX workbook"),
        "records": _("it holds no list of submissions, observations or alerts"),
    }
    reason = reasons.get(
        error.code,
        _("it is not an export of KoboToolbox, ODK, CoMapeo, Mapeo, SMART or Global Forest Watch"),
    )
    return _("%(name)s could not be read: %(reason)s. Nothing was imported.") % {
        "name": name,
        "reason": reason,
    }


def _bundle(files: list[Any]) -> tuple[bytes, str]:
    """One file as it is; several (the CSVs of one ODK export) as one zip."""
    if len(files) == 1:
        return files[0].read(), files[0].name or ""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for item in files:
            archive.writestr(item.name or "export.csv", item.read())
    return buffer.getvalue(), f"{PurePath(files[0].name or 'export').stem}.zip"


def _imported(request: HttpRequest, table: Any, summary: services.Summary) -> HttpResponse:
    text = (
        _("%(new)s new, %(updated)s updated, %(unchanged)s unchanged, %(quarantined)s quarantined")
        % summary.__dict__
    )
    if summary.deleted:
        text += _(", %(deleted)s deleted") % summary.__dict__
    messages.success(request, text)
    return redirect("quarantine" if summary.quarantined else "observations", slug=table.slug)


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.get_table(slug)
    tables.require(request.user, table, "monitoring.import")
    error = None
    if request.method == "POST":
        files = request.FILES.getlist("file")
        fmt = request.POST.get("format") or None
        if not files:
            error = _("Choose the file to import.")
        else:
            try:
                for item in files:
                    check_upload(item, "field")
                content, name = _bundle(files)
                export = formats.read(content, fmt, name)
            except ValidationError as exc:
                error = exc.messages[0]
            except formats.FormatError as exc:
                error = _format_error(files[0].name or "?", exc)
            else:
                if not export.records:  # nothing to map: only rows for the quarantine
                    summary = services.import_field(
                        by=request.user, table=table, export=export, filename=name
                    )
                    return _imported(request, table, summary)
                source = services.source_for(
                    by=request.user, table=table, export=export, filename=name
                )
                rows, fmt = len(export.records), export.format
                if source.mapping is None or rows > settings.MINGA_IMPORT_INLINE_ROWS:
                    # The file is stored for later: not while its records are held too.
                    del export
                if source.mapping is None:
                    job = services.keep_upload(
                        by=request.user,
                        table=table,
                        content=content,
                        filename=name,
                        fmt=fmt,
                        source=source,
                    )
                    return redirect(
                        "field-import-mapping", slug=table.slug, public_id=job.public_id
                    )
                if rows > settings.MINGA_IMPORT_INLINE_ROWS:
                    job = services.queue_field_import(
                        by=request.user,
                        table=table,
                        content=content,
                        filename=name,
                        fmt=fmt,
                        total=rows,
                        source=source,
                    )
                    return redirect(
                        "field-import-progress", slug=table.slug, public_id=job.public_id
                    )
                summary = services.import_field(
                    by=request.user, table=table, export=export, source=source, filename=name
                )
                return _imported(request, table, summary)
    return render(
        request,
        "monitoring/upload.html",
        {
            "table": table,
            "formats": formats.FORMATS,
            "error": error,
            "sources": list(queries.sources_of(table)),
        },
        status=400 if error else 200,
    )


TARGETS = ("where", "when", "what", "notes", "media", "observer", "sensitivity", "track", "area")
PREVIEW_ROWS = 5


def _posted_mapping(request: HttpRequest, proposed: mapping.Mapping) -> mapping.Mapping:
    chosen = mapping.Mapping(level=request.POST.get("level", proposed.level))
    for target in TARGETS:
        posted = request.POST.getlist(target)
        values = [v for v in posted if v]
        if target in ("when", "notes", "media"):
            # The select comes first; "none" there drops the fields kept after it too.
            setattr(chosen, target, values if posted and posted[0] else [])
        else:
            setattr(chosen, target, values[0] if values else "")
    return chosen


@login_required
@require_http_methods(["GET", "POST"])
def import_mapping(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    """A file from a source minga has not seen: the fields it found, the mapping it proposes
    and the first rows read through it, for the person to confirm or change."""
    table = tables.get_table(slug)
    services.require_field_work(request.user, table)
    job = get_object_or_404(
        FieldImport.objects.select_related("field_source"), table=table, public_id=public_id
    )
    source = job.field_source
    if source is None or job.status != RunStatus.QUEUED or not job.content:
        return redirect("field-import-progress", slug=table.slug, public_id=job.public_id)
    try:
        export = formats.read(job.file(), job.format or None, job.filename)
    except formats.FormatError as exc:
        messages.error(request, _format_error(job.filename, exc))
        return redirect("field-import", slug=table.slug)
    proposed = services.mapping_of(source, export)
    chosen = _posted_mapping(request, proposed) if request.method == "POST" else proposed
    error = None
    if request.method == "POST" and "confirm" in request.POST:
        community = None
        if request.POST.get("community"):
            community = Organization.objects.filter(public_id=request.POST["community"]).first()
        try:
            services.confirm_mapping(
                by=request.user,
                source=source,
                chosen=chosen,
                name=request.POST.get("name") or None,
                community=community,
                owner_level=bool(request.POST.get("owner_level")),
            )
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            if len(export.records) > settings.MINGA_IMPORT_INLINE_ROWS:
                services.queue_field_import(
                    by=request.user, table=table, job=job, total=len(export.records)
                )
                return redirect("field-import-progress", slug=table.slug, public_id=job.public_id)
            return _imported(request, table, services.import_kept(by=request.user, job=job))
    described = mapping.describe(export)
    head = formats.Export(export.format, export.signature, export.records[: PREVIEW_ROWS * 20])
    preview = mapping.apply(head, chosen, services.zone())
    levels = export.levels()
    return render(
        request,
        "monitoring/import_mapping.html",
        {
            "table": table,
            "job": job,
            "source": source,
            "chosen": chosen,
            "fields": [f for f in described if f.level == chosen.level],
            "all_fields": described,
            "levels": sorted(levels.items()),
            "records": len(export.records),
            "preview": preview.observations[:PREVIEW_ROWS],
            "refused": preview.rejected[:PREVIEW_ROWS],
            "communities": queries.communities_of(table),
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def categories(request: HttpRequest, slug: str) -> HttpResponse:
    """The table's vocabulary: each source category and the type it means; those not yet
    mapped first, with how many observations wait on them."""
    table = tables.get_table(slug)
    tables.require(request.user, table, "monitoring.import")
    if request.method == "POST":
        changed = 0
        for key in request.POST:
            if not key.startswith("kind:"):
                continue
            kind = request.POST.get(key, "")
            code = key.removeprefix("kind:")
            current = CategoryMapping.objects.filter(table=table, code=code).first()
            if current is None or (current.kind == kind and not current.guessed):
                continue
            if kind and kind not in mapping.KINDS:
                continue
            changed += services.map_category(by=request.user, table=table, code=code, kind=kind)
        messages.success(
            request,
            ngettext(
                "Saved: %(count)s observation classified again.",
                "Saved: %(count)s observations classified again.",
                changed,
            )
            % {"count": changed},
        )
        return redirect("field-categories", slug=table.slug)
    return render(
        request,
        "monitoring/categories.html",
        {
            "table": table,
            "rows": queries.vocabulary_of(table, request.LANGUAGE_CODE),
            "kinds": KIND_CHOICES,
        },
    )


@login_required
@require_GET
def import_progress(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    """A large import in the worker: its progress bar, then its summary."""
    table = tables.get_table(slug)
    tables.require(request.user, table, "monitoring.import")
    job = get_object_or_404(FieldImport.objects.defer("content"), table=table, public_id=public_id)
    return render(request, "monitoring/import_progress.html", {"table": table, "job": job})


@login_required
@require_GET
def quarantine(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.get_table(slug)
    tables.require(request.user, table, "monitoring.import")
    return render(
        request,
        "monitoring/quarantine.html",
        {"table": table, "rows": list(queries.quarantine_of(table))},
    )


@require_GET
def xlsform(request: HttpRequest, slug: str, agreement: str | None = None) -> HttpResponse:
    table = tables.get_table(slug)
    form_id = f"minga_patrol_{table.slug}".replace("-", "_")
    title = _("Patrol of the %(table)s") % {"table": table.name}
    if agreement:
        found = Agreement.objects.filter(table=table, public_id=agreement).first()
        if found is None:
            return redirect("observations", slug=table.slug)
        form_id += f"_{found.public_id}"
        title = f"{title}: {found.title}"
    body = patrol_xlsform(
        form_id=form_id, title=title[:120], version="1", local_language=request.GET.get("local", "")
    )
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{form_id}.xlsx"'
    return response


class SourceForm(forms.Form):
    tool = forms.ChoiceField(
        label=gettext_lazy("Tool"),
        choices=[
            ("kobo", "KoboToolbox"),
            ("odk", "ODK Central"),
            ("comapeo", "CoMapeo"),
            ("gfw", "Global Forest Watch"),
        ],
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    url = forms.URLField(
        label=gettext_lazy("Server address"),
        help_text=gettext_lazy("e.g. https://kf.kobotoolbox.org, https://central.example.org"),
        assume_scheme="https",
    )
    ref = forms.CharField(
        label=gettext_lazy("Form, project or dataset"),
        max_length=200,
        help_text=gettext_lazy(
            "KoboToolbox: the form's asset id; ODK Central: project number/form id; CoMapeo: the"
            " project id; Global Forest Watch: the dataset (gfw_integrated_alerts, …)."
        ),
    )
    credential = forms.CharField(
        label=gettext_lazy("API token, app user token or e-mail:password"),
        widget=forms.PasswordInput(render_value=False),
        max_length=500,
    )
    every_minutes = forms.IntegerField(
        label=gettext_lazy("Sync every (minutes; 0 = only on demand)"),
        min_value=0,
        max_value=7 * 24 * 60,
        initial=60,
    )
    community = forms.ChoiceField(label=gettext_lazy("Whose data is this?"), required=False)
    owner_level = forms.BooleanField(
        label=gettext_lazy("Only that community's people may see it"), required=False
    )

    def __init__(self, *args: Any, communities: list[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["community"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("the table's"))] + [(c.public_id, c.name) for c in communities]


SYNC_PROBLEMS = {
    "auth": gettext_lazy("the server refused the credential (401/403): check the token"),
    "server": gettext_lazy("the server answered with an error; minga will try again"),
    "timeout": gettext_lazy("the server did not answer in time; minga will try again"),
    "network": gettext_lazy("the server could not be reached"),
    "malformed": gettext_lazy("the server's answer was not what its tool sends"),
    "config": gettext_lazy("the source is not set up completely"),
    "too_large": gettext_lazy("the answer was larger than the field file limit"),
    "refused": gettext_lazy("the server's address now points at this machine: minga refused it"),
    "forbidden": gettext_lazy("the person who asked for it may no longer sync this source"),
}


def _problem(code: str) -> str:
    return str(SYNC_PROBLEMS.get(code, SYNC_PROBLEMS["server"]))


@login_required
@require_http_methods(["GET", "POST"])
def sources(request: HttpRequest, slug: str) -> HttpResponse:
    """The table's server sources: add one, see when each last synced and why one failed."""
    table = tables.get_table(slug)
    tables.require(request.user, table, "monitoring.sources")
    communities = queries.communities_of(table)
    form = SourceForm(request.POST or None, communities=communities)
    error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        community = next((c for c in communities if c.public_id == data["community"]), None)
        try:
            source, secret = sync.add_source(
                by=request.user,
                table=table,
                tool=data["tool"],
                name=data["name"],
                url=data["url"],
                ref=data["ref"],
                credential=data["credential"],
                every_minutes=data["every_minutes"],
                community=community,
                owner_level=data["owner_level"],
            )
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            if source.tool == "kobo":
                messages.info(
                    request,
                    _("Secret for KoboToolbox's REST Services (shown only now): %(secret)s")
                    % {"secret": secret},
                )
            return _act(request, table, source, "test")
    found = list(queries.server_sources_of(table))
    running = {
        job.field_source_id: job
        for job in SourceSync.objects.filter(
            table=table, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
        )
    }
    for source in found:
        problem = _problem(source.last_error.split(":", 1)[0]) if source.last_error else ""
        setattr(source, "problem", problem)  # noqa: B010 - shown beside the source
        setattr(source, "running", running.get(source.pk))  # noqa: B010 - its sync under way
    return render(
        request,
        "monitoring/sources.html",
        {
            "table": table,
            "sources": found,
            "form": form,
            "error": error,
            "site_url": settings.MINGA_SITE_URL.rstrip("/"),
        },
        status=400 if (error or form.errors) else 200,
    )


def _act(request: HttpRequest, table: Any, source: FieldSource, action: str) -> HttpResponse:
    if action == "test":
        try:
            export = sync.test_connection(by=request.user, source=source)
        except connectors.SyncError as exc:
            FieldSource.objects.filter(pk=source.pk).update(
                last_error=f"{exc.code}: {exc.detail}"[:500], last_failed_at=timezone.now()
            )
            messages.error(request, _("Connection failed: %(why)s.") % {"why": _problem(exc.code)})
            return redirect("field-sources", slug=table.slug)
        FieldSource.objects.filter(pk=source.pk).update(last_error="")
        messages.success(
            request,
            _("Connected: the server answered with %(count)s records.")
            % {"count": len(export.records)},
        )
        if source.mapping is None:
            body = json.dumps(
                [r.raw for r in export.records if isinstance(r.raw, dict) and not r.level]
            ).encode()
            job = services.keep_upload(
                by=request.user,
                table=table,
                content=body,
                filename=source.name,
                fmt="kobo-json" if source.tool == "kobo" else export.format,
                source=source,
            )
            if source.tool != "kobo":
                job.content = FieldImport.keep(
                    json.dumps(
                        {"value": [r.raw for r in export.records if not r.level]}
                        if source.tool == "odk"
                        else {"data": [r.raw for r in export.records]}
                    ).encode()
                )
                job.save(update_fields=["content"])
            return redirect("field-import-mapping", slug=table.slug, public_id=job.public_id)
        return redirect("field-sources", slug=table.slug)
    try:
        asked = sync.request_sync(by=request.user, source=source)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("field-sources", slug=table.slug)
    return redirect("field-source-sync", slug=table.slug, public_id=asked.public_id)


@login_required
@require_GET
def source_sync(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    """A sync in the worker: its progress bar, then what it brought or why it failed."""
    table = tables.get_table(slug)
    tables.require(request.user, table, "monitoring.sources")
    job = get_object_or_404(
        SourceSync.objects.select_related("field_source"), table=table, public_id=public_id
    )
    return render(
        request,
        "monitoring/source_sync.html",
        {"table": table, "job": job, "why": _problem(job.error) if job.error else ""},
    )


@login_required
@require_POST
def source_act(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table = tables.get_table(slug)
    tables.require(request.user, table, "monitoring.sources")
    source = get_object_or_404(FieldSource, table=table, public_id=public_id)
    action = request.POST.get("action", "")
    if action not in ("test", "sync"):
        return redirect("field-sources", slug=table.slug)
    return _act(request, table, source, action)


@csrf_exempt
@require_POST
def kobo_push(request: HttpRequest, public_id: str) -> JsonResponse:
    """KoboToolbox's REST Services post each new submission here, with the source's secret."""
    source = FieldSource.objects.filter(public_id=public_id, tool="kobo").first()
    given = request.headers.get("X-Minga-Secret", "")
    if source is None or not sync.check_webhook_secret(source, given):
        return JsonResponse({"detail": "unknown source or wrong secret"}, status=403)
    if source.mapping is None:
        return JsonResponse({"detail": "the source's fields are not mapped yet"}, status=409)
    try:
        summary = sync.receive_pushed(source=source, body=request.body)
    except (ValueError, formats.FormatError):
        return JsonResponse({"detail": "the body is not a KoboToolbox submission"}, status=400)
    return JsonResponse(summary.__dict__)
