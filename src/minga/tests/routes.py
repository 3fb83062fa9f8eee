"""The routes of minga and who may reach each: the permission matrix's table, the world of
records its routes are filled from, and how a route becomes a request. Shared by the matrix,
the canary crawl, the page-weight test and the owner-data tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from minga.agreements.models import Agreement
from minga.api import api
from minga.core.access import SYSTEM, Sensitivity
from minga.core.testing import ALL_PERSONAS, DEMO_TABLE
from minga.core.tokens import create_api_token
from minga.decisions import services as decisions
from minga.initiatives.models import AccountabilityReport, Commitment, Initiative
from minga.library.services import add_document
from minga.meetings import services as meetings
from minga.monitoring.models import FieldImport, FieldSource, SourceSync
from minga.monitoring.services import record_observation
from minga.notices.models import Message, ShortLink
from minga.roadmap.models import Indicator
from minga.satellite.models import AnalysisRun, LayerFetch, SampleDesign, VerificationReport
from minga.tables.models import (
    Guidance,
    Instrument,
    Invitation,
    Membership,
    Organization,
    Person,
)

SECRETARIAT, CONVENER, MEMBER, MONITOR, OBSERVER = ALL_PERSONAS[:5]


TABLE_ROLES = (SECRETARIAT, CONVENER, MEMBER, MONITOR, OBSERVER)


def answers(default: int, **by_persona: int) -> dict[str, int]:
    return {p: by_persona.get(p, default) for p in ALL_PERSONAS}


EVERYONE_200 = answers(200)


SECRETARIAT_ONLY = answers(403, secretariat=200, public=302)


LOGGED_IN = answers(200, public=302)


COMMUNITY_302 = answers(403, secretariat=302, convener=302, monitor=302, public=302)


MANAGERS_200 = answers(403, secretariat=200, convener=200, public=302)


DECIDERS_200 = answers(200, observer=403, outsider=403, other_secretariat=403, public=302)


EXPECTED: dict[str, tuple[str, dict[str, int]]] = {
    "network": ("GET", EVERYONE_200),
    "region": ("GET", EVERYONE_200),
    "table": ("GET", EVERYONE_200),
    "table-geojson": ("GET", EVERYONE_200),
    "table-edit": ("GET", SECRETARIAT_ONLY),
    "territory-set": ("POST", answers(403, secretariat=400, public=302)),
    "members": ("GET", answers(200, outsider=403, other_secretariat=403, public=302)),
    "invite": ("GET", SECRETARIAT_ONLY),
    "import-members": ("GET", SECRETARIAT_ONLY),
    "end-membership": ("GET", SECRETARIAT_ONLY),
    "invitation": ("GET", SECRETARIAT_ONLY),
    "add-instrument": ("GET", answers(403, secretariat=200, convener=200, public=302)),
    "instrument-document": ("GET", EVERYONE_200),
    "library": ("GET", EVERYONE_200),
    "library-new": (
        "GET",
        answers(403, secretariat=200, convener=200, member=200, monitor=200, public=302),
    ),
    "library-document": ("GET", answers(200, outsider=404, other_secretariat=404, public=404)),
    "library-download": ("GET", answers(200, outsider=404, other_secretariat=404, public=404)),
    # the same people mark it for phones to keep offline
    "library-offline": (
        "POST",
        answers(
            403, secretariat=302, convener=302, outsider=404, other_secretariat=404, public=302
        ),
    ),
    # the document is the prefecture's: its people and the secretariat may add a version (an
    # empty form answers 400); the table's other members may not; outsiders do not see it
    "library-version-add": (
        "POST",
        answers(
            403, secretariat=400, convener=400, outsider=404, other_secretariat=404, public=302
        ),
    ),
    "organization": ("GET", EVERYONE_200),
    "meetings": ("GET", EVERYONE_200),
    "meetings-feed": ("GET", EVERYONE_200),
    "meeting-new": ("GET", MANAGERS_200),
    "meeting": ("GET", EVERYONE_200),
    "meeting-ics": ("GET", EVERYONE_200),
    "agenda-add": ("POST", answers(403, secretariat=400, convener=400, public=302)),
    "agenda-move": ("POST", answers(403, secretariat=302, convener=302, public=302)),
    "meeting-convene": ("POST", answers(403, secretariat=302, convener=302, public=302)),
    "meeting-change": ("GET", MANAGERS_200),
    "meeting-cancel": ("GET", MANAGERS_200),
    "meeting-sheet": ("GET", MANAGERS_200),
    "meeting-attendance": ("GET", MANAGERS_200),
    "meeting-minutes": ("POST", answers(403, secretariat=400, convener=400, public=302)),
    "meeting-publish": ("POST", answers(403, secretariat=302, convener=302, public=302)),
    "meeting-report": ("GET", EVERYONE_200),
    "meeting-report-pdf": ("GET", EVERYONE_200),
    "joint-agenda": ("GET", EVERYONE_200),
    "priority-new": ("GET", DECIDERS_200),
    "priority-select": ("POST", answers(403, secretariat=302, public=302)),
    "ranking-new": ("GET", SECRETARIAT_ONLY),
    "ranking": ("GET", EVERYONE_200),
    "ranking-close": ("POST", answers(403, secretariat=302, public=302)),
    "ranking-ballot": (
        "POST",
        answers(400, observer=403, outsider=403, other_secretariat=403, public=302),
    ),
    "consultations": ("GET", EVERYONE_200),
    "consultation-new": (
        "GET",
        answers(403, secretariat=200, convener=200, member=200, observer=200, public=302),
    ),
    "consultation": ("GET", EVERYONE_200),
    "consultation-document": ("GET", EVERYONE_200),
    "consultation-answer": (
        "POST",
        answers(400, observer=403, outsider=403, other_secretariat=403, public=302),
    ),
    "consultation-response": ("POST", answers(403, secretariat=400, public=302)),
    "digest": ("GET", LOGGED_IN),
    "my-work": ("GET", LOGGED_IN),
    "observations": ("GET", EVERYONE_200),
    "observations-geojson": ("GET", EVERYONE_200),
    "observations-clusters": ("GET", EVERYONE_200),
    "observation-new": ("GET", answers(403, secretariat=200, monitor=200, public=302)),
    "observation-photo": ("GET", answers(200, outsider=404, other_secretariat=404, public=302)),
    "field-import": ("GET", answers(403, secretariat=200, monitor=200, public=302)),
    "quarantine": ("GET", answers(403, secretariat=200, monitor=200, public=302)),
    "field-import-progress": ("GET", answers(403, secretariat=200, monitor=200, public=302)),
    # The world's import has no source to map: it answers with its progress page.
    "field-import-mapping": (
        "GET",
        answers(403, secretariat=302, convener=302, monitor=302, public=302),
    ),
    "field-categories": ("GET", answers(403, secretariat=200, monitor=200, public=302)),
    "field-sources": ("GET", answers(403, secretariat=200, convener=200, monitor=200, public=302)),
    # Without an action the form goes back to the Sources page.
    "field-source-act": (
        "POST",
        answers(403, secretariat=302, convener=302, monitor=302, public=302),
    ),
    "field-source-sync": (
        "GET",
        answers(403, secretariat=200, convener=200, monitor=200, public=302),
    ),
    # KoboToolbox's push: refused without the source's secret, whoever asks.
    "kobo-push": ("POST", answers(403)),
    "patrol-form": ("GET", EVERYONE_200),
    "satellite": ("GET", EVERYONE_200),
    "satellite-run": ("GET", EVERYONE_200),
    "satellite-fetch": ("GET", SECRETARIAT_ONLY),
    "hotspots-geojson": ("GET", EVERYONE_200),
    "hotspots-clusters": ("GET", EVERYONE_200),
    "hotspot-form": ("GET", EVERYONE_200),
    "hotspot-checks": ("POST", answers(403, secretariat=302, monitor=302, public=302)),
    "satellite-zone": ("GET", EVERYONE_200),
    "sample-design": ("GET", EVERYONE_200),
    "sample-export": ("GET", EVERYONE_200),
    "verification": ("GET", EVERYONE_200),
    "verification-json": ("GET", EVERYONE_200),
    "verification-pdf": ("GET", EVERYONE_200),
    "log": ("GET", EVERYONE_200),
    "log-checkpoint": ("GET", EVERYONE_200),
    "log-policy": ("GET", EVERYONE_200),
    "log-tile": ("GET", EVERYONE_200),
    "log-entries": ("GET", EVERYONE_200),
    "log-key": ("GET", EVERYONE_200),
    "log-entry": ("GET", EVERYONE_200),
    "credit-registry": ("GET", EVERYONE_200),
    "credit-cadt": ("GET", EVERYONE_200),
    "credit-act": ("POST", answers(403, secretariat=302, public=302)),
    "labels": ("GET", EVERYONE_200),
    # an empty form: "unknown action" for anyone logged in; labels are the communities' to apply
    "labels-act": ("POST", answers(302)),
    "labels-about": ("GET", EVERYONE_200),
    "retirement": ("GET", EVERYONE_200),
    "retirement-pdf": ("GET", EVERYONE_200),
    "retirement-json": ("GET", EVERYONE_200),
    "health": ("GET", EVERYONE_200),
    "health-act": ("POST", answers(403, secretariat=302, public=302)),
    "incident": ("GET", EVERYONE_200),
    "incident-act": ("POST", answers(403, secretariat=302, convener=302, public=302)),
    "funds": ("GET", EVERYONE_200),
    "fund": ("GET", EVERYONE_200),
    "fund-transactions": ("GET", EVERYONE_200),
    "fund-act": ("POST", answers(403, observer=302, public=302)),
    "call": ("GET", EVERYONE_200),
    "call-apply": (
        "POST",
        answers(403, secretariat=302, convener=302, other_secretariat=302, public=302),
    ),
    "application": ("GET", EVERYONE_200),
    "application-act": (
        "POST",
        answers(
            403,
            secretariat=302,
            convener=302,
            member=302,
            observer=302,
            other_secretariat=302,  # a reviewer of the fund
            public=302,
        ),
    ),
    "open-data": ("GET", EVERYONE_200),
    "portal": ("GET", EVERYONE_200),
    "portal-trace": ("GET", EVERYONE_200),
    "portal-region": ("GET", EVERYONE_200),
    "forum-report": ("GET", EVERYONE_200),
    "portal-table": ("GET", EVERYONE_200),
    "portal-map": ("GET", EVERYONE_200),
    "region-guidance": ("GET", EVERYONE_200),
    "guidance-publish": (
        "POST",
        answers(302, monitor=403, outsider=403),
    ),
    "guidance-answer": (
        "POST",
        answers(403, secretariat=302, convener=302, other_secretariat=302, public=302),
    ),
    "GET /api/v1/portal/network": ("GET", EVERYONE_200),
    "GET /api/v1/portal/regions/{slug}": ("GET", EVERYONE_200),
    "GET /api/v1/portal/tables/{slug}": ("GET", EVERYONE_200),
    "GET /api/v1/open-data/datasets": ("GET", EVERYONE_200),
    "GET /api/v1/open-data/{slug}/{dataset}": ("GET", EVERYONE_200),
    "GET /api/v1/funds": ("GET", EVERYONE_200),
    "GET /api/v1/funds/{slug}/transactions": ("GET", EVERYONE_200),
    "GET /api/v1/regions/{slug}/guidance": ("GET", EVERYONE_200),
    "GET /api/v1/tables/{slug}/health": ("GET", EVERYONE_200),
    "iati-file": ("GET", EVERYONE_200),
    "open-data-package": ("GET", EVERYONE_200),
    "open-data-csv": ("GET", EVERYONE_200),
    "open-data-geojson": ("GET", EVERYONE_200),
    "GET /api/v1/log/proof/inclusion": ("GET", EVERYONE_200),
    "GET /api/v1/log/proof/consistency": ("GET", EVERYONE_200),
    "agreement-patrol-form": ("GET", EVERYONE_200),
    "agreements": ("GET", EVERYONE_200),
    "agreements-geojson": ("GET", EVERYONE_200),
    "agreement-new": ("GET", MANAGERS_200),
    "agreement": ("GET", EVERYONE_200),
    "agreement-obligation": ("POST", answers(403, secretariat=302, convener=302, public=302)),
    "agreement-incentive": ("POST", answers(403, secretariat=302, convener=302, public=302)),
    "agreement-consultation": ("POST", COMMUNITY_302),
    "agreement-consent": ("POST", COMMUNITY_302),
    "agreement-sign": ("POST", answers(403, secretariat=302, convener=302, public=302)),
    "agreement-withdraw": ("POST", COMMUNITY_302),
    "incentive-delivery": ("POST", COMMUNITY_302),
    "roadmap": ("GET", EVERYONE_200),
    "axis-add": ("POST", answers(403, secretariat=400, convener=400, public=302)),
    "objective-add": ("POST", answers(403, secretariat=302, convener=302, public=302)),
    "indicator-add": ("POST", answers(403, secretariat=302, convener=302, public=302)),
    "result-add": ("POST", answers(403, secretariat=302, convener=302, public=302)),
    "result-update": ("POST", answers(403, secretariat=302, convener=302, public=302)),
    "milestone-add": ("POST", answers(403, secretariat=302, convener=302, public=302)),
    "measure": ("POST", answers(403, secretariat=400, convener=400, member=400, public=302)),
    "initiatives": ("GET", EVERYONE_200),
    "initiatives-geojson": ("GET", EVERYONE_200),
    "three-w": ("GET", EVERYONE_200),
    "alignment": ("GET", EVERYONE_200),
    "initiatives-import": ("GET", SECRETARIAT_ONLY),
    "initiatives-export": ("GET", EVERYONE_200),
    "initiatives-pool": ("POST", answers(403, secretariat=302, public=302)),
    # The world's initiative is not a joint one: there is no pooling to undo.
    "initiative-unpool": ("POST", answers(403, secretariat=404, public=302)),
    "rates": ("GET", EVERYONE_200),
    "initiative": ("GET", EVERYONE_200),
    "initiative-new": ("GET", DECIDERS_200),
    "initiative-edit": ("GET", answers(403, secretariat=200, member=200, public=302)),
    "commitments": ("GET", EVERYONE_200),
    "commitment-status": (
        "POST",
        answers(403, secretariat=302, convener=302, member=302, public=302),
    ),
    "reports": ("GET", EVERYONE_200),
    "report": ("GET", EVERYONE_200),
    "report-pdf": ("GET", EVERYONE_200),
    "report-attest": ("POST", answers(403, observer=302, public=302)),
    "decision-register": ("GET", EVERYONE_200),
    "decision-rule": ("GET", SECRETARIAT_ONLY),
    "proposal-new": ("GET", DECIDERS_200),
    "proposal": ("GET", EVERYONE_200),
    "proposal-amend": ("GET", DECIDERS_200),
    "proposal-version": ("GET", EVERYONE_200),
    "proposal-comment": ("POST", answers(400, outsider=403, other_secretariat=403, public=302)),
    "round-open": ("POST", answers(403, secretariat=400, convener=400, public=302)),
    "round-panel": ("GET", EVERYONE_200),
    "round-position": (
        "POST",
        answers(400, observer=403, outsider=403, other_secretariat=403, public=302),
    ),
    "round-close": ("POST", answers(403, secretariat=302, convener=302, public=302)),
    "proposal-decide": ("POST", answers(403, convener=400, public=302)),
    "person": ("GET", answers(200, outsider=404, other_secretariat=404, public=404)),
    "join": ("GET", EVERYONE_200),
    "login": ("GET", answers(302, public=200)),
    "logout": ("POST", answers(302)),
    "profile": ("GET", LOGGED_IN),
    "revoke-token": ("POST", answers(302)),
    "healthz": ("GET", EVERYONE_200),
    "favicon": ("GET", answers(204)),
    "notices": ("GET", LOGGED_IN),
    "short-link": ("GET", answers(302)),
    # replies come from the SMS gateway, signed: an unsigned one is refused, whoever sends it
    "sms-reply": ("POST", answers(403)),
    "notice-deliveries": ("GET", SECRETARIAT_ONLY),
    "notice-again": ("POST", answers(403, secretariat=302, public=302)),
    "service-worker": ("GET", EVERYONE_200),
    "manifest": ("GET", EVERYONE_200),
    "offline-help": ("GET", EVERYONE_200),
    "offline-kept": ("GET", answers(200, public=401)),
    "admin:index": ("GET", answers(302)),
    "api-1.0.0:openapi-json": ("GET", EVERYONE_200),
    "api-1.0.0:openapi-view": ("GET", EVERYONE_200),
    # The API, by schema path and method.
    "GET /api/v1/tables": ("GET", EVERYONE_200),
    "GET /api/v1/tables/{slug}": ("GET", EVERYONE_200),
    "PATCH /api/v1/tables/{slug}": ("PATCH", answers(403, secretariat=200, public=401)),
    "GET /api/v1/tables/{slug}/memberships": ("GET", EVERYONE_200),
    "POST /api/v1/tables/{slug}/memberships": (
        "POST",
        answers(403, secretariat=201, public=401),
    ),
    "POST /api/v1/tables/{slug}/memberships/{membership_id}/end": (
        "POST",
        answers(403, secretariat=200, public=401),
    ),
    "GET /api/v1/organizations": ("GET", EVERYONE_200),
    "POST /api/v1/organizations": ("POST", answers(403, secretariat=201, public=401)),
    "GET /api/v1/organizations/{public_id}": ("GET", EVERYONE_200),
    "GET /api/v1/me": ("GET", answers(200, public=401)),
}


def _walk(patterns: list[Any], namespace: str = "") -> list[str]:
    names = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            if ns == "admin":
                names.append("admin:index")
                continue
            names += _walk(entry.url_patterns, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            names.append(f"{namespace}{entry.name}")
    return names


def discovered_routes() -> set[str]:
    html = {n for n in _walk(get_resolver().url_patterns) if not n.startswith("api-1.0.0:")}
    html |= {"api-1.0.0:openapi-json", "api-1.0.0:openapi-view"}
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method in operations:
            html.add(f"{method.upper()} {path}")
    return html


def tiny_png() -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (4, 4), "#2a6").save(buffer, format="PNG")
    return buffer.getvalue()


def build_world(personas: dict[str, Any]) -> dict[str, Any]:
    """Marked values at every sensitivity level, an invitation, a membership to end, tokens."""
    member_person = Person.objects.get(user=personas["member"])
    member_person.gender = "MARK-OWNER-GENDER"
    member_person.people = "MARK-OWNER-PEOPLE"
    member_person.phone = "MARK-TABLE-PHONE"
    member_person.save()
    organization = Membership.objects.get(person=member_person).organization
    organization.internal_notes = "MARK-OWNER-NOTES"
    organization.contact_email = "mark-table-contact@demo.minga.invalid"
    organization.save()
    membership = Membership.objects.filter(table__slug=DEMO_TABLE, person__isnull=True).first() or (
        Membership.objects.filter(table__slug=DEMO_TABLE, person__user__isnull=True).first()
    )
    api_membership = (
        Membership.objects.filter(table__slug=DEMO_TABLE, person__user__isnull=True)
        .exclude(pk=membership.pk)
        .first()
    )
    invitation = Invitation.objects.create(
        membership=membership,
        token="matrix-token",
        created_by=personas["secretariat"],
        expires_at="2100-01-01T00:00:00Z",
    )
    instrument = Instrument.objects.filter(table__slug=DEMO_TABLE).first()
    instrument.document = SimpleUploadedFile("ordenanza.pdf", b"%PDF-1.4 demo")
    instrument.save()
    proposal = decisions.create_proposal(
        by=personas["member"], table=instrument.table, title="Propuesta de la matriz", text="Texto"
    )
    decisions.open_round(
        by=personas["secretariat"],
        proposal=proposal,
        closes_at=timezone.now() + dt.timedelta(days=3),
    )
    table = instrument.table
    upcoming = meetings.create_meeting(
        by=SYSTEM,
        table=table,
        title="Próxima",
        starts_at=timezone.now() + dt.timedelta(days=9),
        place="Macas",
    )
    meetings.add_agenda_item(by=SYSTEM, meeting=upcoming, title="Informe")
    held = meetings.create_meeting(
        by=SYSTEM,
        table=table,
        title="Pasada",
        starts_at=timezone.now() - dt.timedelta(days=9),
        place="Macas",
    )
    meetings.record_attendance(
        by=SYSTEM, meeting=held, rows=[meetings.AttendanceRow(organization, "present", "Ana")]
    )
    meetings.save_minutes(by=SYSTEM, meeting=held, minutes="Acta")
    meetings.publish_minutes(by=SYSTEM, meeting=held)
    priorities = [
        meetings.submit_priority(by=personas["member"], table=table, title=f"P{i}", description="D")
        for i in range(2)
    ]
    ranking = meetings.open_ranking(
        by=SYSTEM,
        table=table,
        title="R",
        method="dots",
        priorities=priorities,
        closes_at=timezone.now() + dt.timedelta(days=2),
    )
    consultation = decisions.open_consultation(
        by=personas["observer"],
        table=table,
        title="Consulta",
        body="Documento",
        questions=["¿Pregunta?"],
        deadline=timezone.localdate() + dt.timedelta(days=9),
        document=SimpleUploadedFile("borrador.pdf", b"%PDF-1.4 demo"),
    )
    indicator = Indicator.objects.filter(objective__axis__table=table).first()
    indicator.responsible = organization
    indicator.save()
    commitment = Commitment.objects.filter(table=table).first()
    commitment.organization = organization
    commitment.save()
    initiative = Initiative.objects.filter(table=table, is_joint=False).first()
    initiative.organization = organization
    initiative.save()
    report = AccountabilityReport.objects.filter(table=table).first()
    agreement = Agreement.objects.filter(
        table=table, community__name="Comunidad Shuar Tsapau"
    ).first()
    outside_org = Organization.objects.filter(memberships__table__slug="sucumbios").first()
    run = AnalysisRun.objects.filter(table=table).first()
    design = SampleDesign.objects.filter(table=table).first()
    verification = VerificationReport.objects.filter(table=table).first()
    from minga.credits.models import Retirement
    from minga.funds.models import Application
    from minga.health import services as health
    from minga.ledger import services as ledger

    incident = health.report_incident(
        by=SYSTEM,
        table=table,
        kind="conflict",
        title="Conflicto de linderos",
        description="Dos comunidades discuten un lindero.",
        occurred_on=timezone.localdate(),
    )
    application = Application.objects.get(call__kind="challenge", table=table)
    ledger.publish()
    retirement = Retirement.objects.first()
    tokens = {
        name: create_api_token(user=user, name="matrix")[1]
        for name, user in personas.items()
        if name != "public"
    }
    # A second token per persona, for the revoke route to revoke.
    own_tokens = {
        name: create_api_token(user=personas[name], name="to revoke")[0].pk for name in tokens
    }
    field_source = FieldSource.objects.create(
        table=table,
        name="Kobo",
        tool="kobo",
        signature="kobo:world",
        server_url="http://127.0.0.1:9",
        remote_ref="a1",
    )
    return {
        "slug": DEMO_TABLE,
        "region": "amazonia-ecuatoriana",
        "organization": organization.public_id,
        "person": member_person.public_id,
        "membership": membership.pk,
        "api_membership": api_membership.pk,
        "invitation": invitation.public_id,
        "instrument": instrument.public_id,
        "proposal": proposal.public_id,
        "meeting": upcoming.public_id,
        "held": held.public_id,
        "priority": priorities[0].public_id,
        "ranking": ranking.public_id,
        "consultation": consultation.public_id,
        "indicator": indicator.public_id,
        "agreement": agreement.public_id,
        "incentive": agreement.incentives.first().pk,
        "axis": indicator.objective.axis.public_id,
        "objective": indicator.objective.public_id,
        "result": indicator.objective.results.first().public_id,
        "commitment": commitment.public_id,
        "initiative": initiative.public_id,
        "report": report.public_id,
        "token": invitation.token,
        "outside_org": outside_org.public_id,
        "run": run.public_id,
        "field_import": FieldImport.objects.create(
            table=table, filename="patrullas.csv", content=b"", total=3, done=3, status="done"
        ).public_id,
        "field_source": field_source.public_id,
        "source_sync": SourceSync.objects.create(
            table=table, field_source=field_source, total=4, done=4, status="done"
        ).public_id,
        "layer_fetch": LayerFetch.objects.create(
            table=table, products=["hansen_lossyear"], total=100, done=100, status="done"
        ).public_id,
        "territory": table.territories.first().public_id,
        "design": design.public_id,
        "verification": verification.public_id,
        "retirement": retirement.public_id,
        "incident": incident.public_id,
        "short_code": ShortLink.objects.create(code="K7MX4Q", path=f"/t/{table.slug}/").code,
        "failed_notice": Message.objects.create(
            table=table, channel="sms", to="+593987654321", text="x", status="failed"
        ).pk,
        "observation": record_observation(
            by=SYSTEM,
            table=table,
            key="world-observation",
            kind="wildlife",
            observed_at=timezone.now() - dt.timedelta(hours=2),
            lat=-2.5,
            lon=-78.1,
            notes="Huellas de jaguar",
            photo=SimpleUploadedFile("huellas.png", tiny_png(), content_type="image/png"),
        ).public_id,
        "guidance": Guidance.objects.filter(region__slug="amazonia-ecuatoriana").first().public_id,
        "fund": application.call.fund.slug,
        "call": application.call.public_id,
        "application": application.public_id,
        "tokens": tokens,
        "own_tokens": own_tokens,
        "document": add_document(
            by=SYSTEM,
            table=table,
            kind="statute",
            title="Estatuto (borrador para los miembros)",
            sensitivity=Sensitivity.TABLE,
            upload=SimpleUploadedFile("estatuto.pdf", b"%PDF-1.4\n% estatuto\n"),
            organization=Membership.objects.get(person__user=personas["secretariat"]).organization,
        ).public_id,
    }


def _url(route: str, world: dict[str, Any], persona: str) -> tuple[str, dict[str, Any]]:
    """The concrete URL and request body for a route."""
    from django.urls import reverse

    w = world
    kwargs: dict[str, Any] = {
        "region": {"slug": w["region"]},
        "organization": {"public_id": w["organization"]},
        "person": {"public_id": w["person"]},
        "join": {"token": w["token"]},
        "end-membership": {"slug": w["slug"], "pk": w["membership"]},
        "invitation": {"slug": w["slug"], "public_id": w["invitation"]},
        "instrument-document": {"slug": w["slug"], "public_id": w["instrument"]},
        "library": {"slug": w["slug"]},
        "library-new": {"slug": w["slug"]},
        "library-document": {"slug": w["slug"], "public_id": w["document"]},
        "library-version-add": {"slug": w["slug"], "public_id": w["document"]},
        "library-offline": {"slug": w["slug"], "public_id": w["document"]},
        "short-link": {"code": w["short_code"]},
        "notice-again": {"slug": w["slug"], "pk": w["failed_notice"]},
        "observation-photo": {"slug": w["slug"], "public_id": w["observation"], "number": 1},
        "library-download": {"slug": w["slug"], "public_id": w["document"], "number": 1},
        "revoke-token": {"pk": w["own_tokens"].get(persona, 0)},
        "proposal": {"slug": w["slug"], "public_id": w["proposal"]},
        "meeting": {"slug": w["slug"], "public_id": w["meeting"]},
        "meeting-ics": {"slug": w["slug"], "public_id": w["meeting"]},
        "agenda-add": {"slug": w["slug"], "public_id": w["meeting"]},
        "agenda-move": {"slug": w["slug"], "public_id": w["meeting"], "position": 1},
        "meeting-convene": {"slug": w["slug"], "public_id": w["meeting"]},
        "meeting-change": {"slug": w["slug"], "public_id": w["meeting"]},
        "meeting-cancel": {"slug": w["slug"], "public_id": w["meeting"]},
        "meeting-sheet": {"slug": w["slug"], "public_id": w["meeting"]},
        "meeting-attendance": {"slug": w["slug"], "public_id": w["meeting"]},
        "meeting-minutes": {"slug": w["slug"], "public_id": w["meeting"]},
        "meeting-publish": {"slug": w["slug"], "public_id": w["meeting"]},
        "meeting-report": {"slug": w["slug"], "public_id": w["held"]},
        "meeting-report-pdf": {"slug": w["slug"], "public_id": w["held"]},
        "priority-select": {"slug": w["slug"], "public_id": w["priority"]},
        "ranking": {"slug": w["slug"], "public_id": w["ranking"]},
        "ranking-ballot": {"slug": w["slug"], "public_id": w["ranking"]},
        "ranking-close": {"slug": w["slug"], "public_id": w["ranking"]},
        "consultation": {"slug": w["slug"], "public_id": w["consultation"]},
        "consultation-document": {"slug": w["slug"], "public_id": w["consultation"]},
        "measure": {"slug": w["slug"], "public_id": w["indicator"]},
        **{
            name: {"slug": w["slug"], "public_id": w["agreement"]}
            for name in (
                "agreement",
                "agreement-obligation",
                "agreement-incentive",
                "agreement-consultation",
                "agreement-consent",
                "agreement-sign",
                "agreement-withdraw",
            )
        },
        "agreement-patrol-form": {"slug": w["slug"], "agreement": w["agreement"]},
        "satellite-run": {"slug": w["slug"], "public_id": w["run"]},
        "satellite-fetch": {"slug": w["slug"], "public_id": w["layer_fetch"]},
        "field-import-progress": {"slug": w["slug"], "public_id": w["field_import"]},
        "field-import-mapping": {"slug": w["slug"], "public_id": w["field_import"]},
        "field-source-act": {"slug": w["slug"], "public_id": w["field_source"]},
        "field-source-sync": {"slug": w["slug"], "public_id": w["source_sync"]},
        "kobo-push": {"public_id": w["field_source"]},
        "incident": {"slug": w["slug"], "public_id": w["incident"]},
        "iati-file": {"kind": "activities"},
        "credit-cadt": {"slug": w["slug"], "kind": "xlsx"},
        **{name: {"slug": w["region"]} for name in ("portal-region", "forum-report")},
        **{name: {"slug": w["region"]} for name in ("region-guidance", "guidance-publish")},
        "guidance-answer": {"slug": w["region"], "public_id": w["guidance"]},
        "open-data-package": {"slug": w["slug"]},
        "open-data-csv": {"slug": w["slug"], "name": "initiatives"},
        "open-data-geojson": {"slug": w["slug"], "name": "agreements"},
        "incident-act": {"slug": w["slug"], "public_id": w["incident"]},
        **{name: {"slug": w["fund"]} for name in ("fund", "fund-transactions", "fund-act")},
        **{name: {"public_id": w["call"]} for name in ("call", "call-apply")},
        **{name: {"public_id": w["application"]} for name in ("application", "application-act")},
        "log-entry": {"index": 1},
        "log-tile": {"level": "0", "index": "000"},
        "log-entries": {"index": "000"},
        **{
            name: {"public_id": w["retirement"]}
            for name in ("retirement", "retirement-pdf", "retirement-json")
        },
        "satellite-zone": {"slug": w["slug"], "kind": "territory", "public_id": w["territory"]},
        "sample-design": {"slug": w["slug"], "public_id": w["design"]},
        "sample-export": {"slug": w["slug"], "public_id": w["design"], "fmt": "geojson"},
        **{
            name: {"slug": w["slug"], "public_id": w["verification"]}
            for name in ("verification", "verification-json", "verification-pdf")
        },
        "incentive-delivery": {
            "slug": w["slug"],
            "public_id": w["agreement"],
            "pk": w["incentive"],
        },
        "objective-add": {"slug": w["slug"], "public_id": w["axis"]},
        "indicator-add": {"slug": w["slug"], "public_id": w["objective"]},
        "result-add": {"slug": w["slug"], "public_id": w["objective"]},
        "result-update": {"slug": w["slug"], "public_id": w["result"]},
        "milestone-add": {"slug": w["slug"], "public_id": w["result"]},
        "initiatives-export": {"slug": w["slug"], "fmt": "csv"},
        "initiative": {"slug": w["slug"], "public_id": w["initiative"]},
        "initiative-edit": {"slug": w["slug"], "public_id": w["initiative"]},
        "initiative-unpool": {"slug": w["slug"], "public_id": w["initiative"]},
        "commitment-status": {"slug": w["slug"], "public_id": w["commitment"]},
        "report": {"slug": w["slug"], "public_id": w["report"]},
        "report-pdf": {"slug": w["slug"], "public_id": w["report"]},
        "report-attest": {"slug": w["slug"], "public_id": w["report"]},
        "consultation-answer": {"slug": w["slug"], "public_id": w["consultation"]},
        "consultation-response": {"slug": w["slug"], "public_id": w["consultation"]},
        "proposal-amend": {"slug": w["slug"], "public_id": w["proposal"]},
        "proposal-version": {"slug": w["slug"], "public_id": w["proposal"], "number": 1},
        "proposal-comment": {"slug": w["slug"], "public_id": w["proposal"]},
        "round-open": {"slug": w["slug"], "public_id": w["proposal"]},
        "round-panel": {"slug": w["slug"], "public_id": w["proposal"], "number": 1},
        "round-position": {"slug": w["slug"], "public_id": w["proposal"], "number": 1},
        "round-close": {"slug": w["slug"], "public_id": w["proposal"], "number": 1},
        "proposal-decide": {"slug": w["slug"], "public_id": w["proposal"]},
    }.get(route, {})
    if route.split(":")[0] not in ("api-1.0.0", "admin") and " " not in route:
        if not kwargs and route in {
            "table",
            "satellite",
            "credit-registry",
            "credit-act",
            "labels",
            "labels-act",
            "health",
            "health-act",
            "portal-table",
            "portal-map",
            "hotspots-geojson",
            "hotspots-clusters",
            "hotspot-form",
            "hotspot-checks",
            "table-geojson",
            "table-edit",
            "territory-set",
            "members",
            "invite",
            "import-members",
            "add-instrument",
            "decision-register",
            "decision-rule",
            "meetings",
            "meetings-feed",
            "meeting-new",
            "joint-agenda",
            "priority-new",
            "ranking-new",
            "consultations",
            "consultation-new",
            "roadmap",
            "axis-add",
            "agreements",
            "agreements-geojson",
            "observations",
            "observations-geojson",
            "observations-clusters",
            "field-import",
            "observation-new",
            "notice-deliveries",
            "field-import-progress",
            "field-categories",
            "field-sources",
            "field-source-sync",
            "quarantine",
            "patrol-form",
            "agreement-new",
            "initiatives",
            "initiatives-geojson",
            "three-w",
            "alignment",
            "initiatives-import",
            "initiatives-pool",
            "rates",
            "initiative-new",
            "commitments",
            "reports",
            "proposal-new",
        }:
            kwargs = {"slug": w["slug"]}
        return reverse(route, kwargs=kwargs), {}
    if " " not in route:
        return reverse(route), {}
    path = route.split(" ", 1)[1]
    path = {
        "GET /api/v1/portal/regions/{slug}": f"/api/v1/portal/regions/{w['region']}",
        "GET /api/v1/regions/{slug}/guidance": f"/api/v1/regions/{w['region']}/guidance",
        "GET /api/v1/funds/{slug}/transactions": f"/api/v1/funds/{w['fund']}/transactions",
        "GET /api/v1/open-data/{slug}/{dataset}": f"/api/v1/open-data/{w['slug']}/agreements",
    }.get(route, path)
    path = path.replace("{slug}", w["slug"]).replace("{public_id}", w["organization"])
    path = path.replace("{membership_id}", str(w["api_membership"]))
    path += {
        "GET /api/v1/log/proof/inclusion": "?index=0&size=2",
        "GET /api/v1/log/proof/consistency": "?first=1&second=2",
    }.get(route, "")
    bodies = {
        "PATCH /api/v1/tables/{slug}": {"description": "Actualizada por la API"},
        "POST /api/v1/tables/{slug}/memberships": {"organization": w["outside_org"]},
        "POST /api/v1/organizations": {
            "table": w["slug"],
            "name": f"Organización nueva de {persona}",
            "sector": "ngo_local",
        },
    }
    return path, bodies.get(route, {})


def _request(client: Client, method: str, url: str, body: dict[str, Any], token: str | None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if method == "GET":
        return client.get(url, headers=headers)
    return (
        client.generic(
            method,
            url,
            data=__import__("json").dumps(body),
            content_type="application/json",
            headers=headers,
        )
        if url.startswith("/api/")
        else client.post(url, body, headers=headers)
    )
