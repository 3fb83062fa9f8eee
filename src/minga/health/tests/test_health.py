"""The health index: each component moves the right way when its facts change, the index is
reproducible from the facts alone, and risks, incidents and training behave."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import formats, timezone, translation

from minga.core.access import SYSTEM
from minga.core.testing import OTHER_TABLE
from minga.decisions import services as decisions
from minga.health import index, queries, services
from minga.health.models import HealthSnapshot, Incident, Risk
from minga.initiatives import services as initiatives
from minga.initiatives.models import AccountabilityReport, Commitment
from minga.meetings import services as meetings
from minga.tables import services as tables
from minga.tables.models import Membership, Organization, Person, Table

# --- the pure index ---------------------------------------------------------------------------

BASE = index.Facts(
    as_of="2026-06-30",
    meetings_held=2,
    attendance_expected=20,
    attendance_present=10,
    positions_by_group={"indigenous": 5, "government": 1, "civil_society": 1},
    participants=20,
    women=4,
    youth=2,
    reports_due=4,
    reports_on_time=1,
    reports_late=1,
    commitments_due=4,
    commitments_kept=2,
    instruments_in_force=("statute",),
    secretariat_months_funded=3,
    actions=40,
    actions_by_top_person=30,
    member_organizations=10,
    organizations_trained=2,
)

# component -> facts that make it better than BASE
BETTER = {
    "meetings": {"meetings_held": 4},
    "attendance": {"attendance_present": 18},
    "sector_balance": {
        "positions_by_group": {"indigenous": 3, "government": 2, "civil_society": 2}
    },
    "women": {"women": 9},
    "youth": {"youth": 4},
    "reports": {"reports_on_time": 3},
    "commitments": {"commitments_kept": 4},
    "instruments": {"instruments_in_force": ("statute", "ordinance")},
    "secretariat": {"secretariat_months_funded": 10},
    "leadership": {"actions_by_top_person": 12},
    "training": {"organizations_trained": 7},
}


def test_every_component_has_a_case():
    assert set(BETTER) == set(index.COMPONENTS) == set(index.DEFAULT_WEIGHTS)


@pytest.mark.parametrize("key", index.COMPONENTS)
def test_each_component_moves_the_index_up_when_its_facts_improve(key):
    before = index.compute(BASE)
    after = index.compute(dataclasses.replace(BASE, **BETTER[key]))
    assert after.component(key).score > before.component(key).score
    assert after.score > before.score
    for other in index.COMPONENTS:  # nothing else moved
        if other != key:
            assert after.component(other).score == before.component(other).score


def test_components_without_facts_are_left_out_and_their_weight_shared():
    no_actions = dataclasses.replace(BASE, actions=3, actions_by_top_person=3, commitments_due=0)
    result = index.compute(no_actions)
    assert result.component("leadership").score is None
    assert result.component("commitments").score is None
    judged = [c for c in result.components if c.score is not None]
    expected = 100 * sum(c.weight * c.score for c in judged) / sum(c.weight for c in judged)
    assert result.score == round(expected, 1)


def test_absence_counts_as_zero_where_absence_is_the_problem():
    empty = index.compute(index.Facts(as_of="2026-06-30"))
    assert empty.component("meetings").score == 0
    assert empty.component("instruments").score == 0
    assert empty.score == 0


def test_weights_are_configurable_and_checked():
    only_meetings = dict.fromkeys(index.COMPONENTS, 0) | {"meetings": 1}
    assert index.compute(BASE, only_meetings).score == 50.0
    for bad in ({"nope": 1}, {"meetings": -1}, dict.fromkeys(index.COMPONENTS, 0), {"women": "x"}):
        with pytest.raises(index.WeightsError):
            index.weights_from(bad)


def test_the_index_is_reproducible_from_the_facts_alone():
    again = index.Facts.from_dict(json.loads(json.dumps(BASE.as_dict())))
    assert again == BASE
    assert index.compute(again) == index.compute(BASE)


# --- facts recorded in the database ----------------------------------------------------------


@pytest.fixture
def table(db):
    return Table.objects.get(slug=OTHER_TABLE)


def _component(table, key):
    return queries.health_of(table).component(key)


def _organization(table):
    return Organization.objects.filter(memberships__table=table).order_by("pk").first()


def test_a_snapshot_recomputes_from_its_stored_facts(table):
    snapshot = services.take_snapshot(table=table)
    stored = HealthSnapshot.objects.get(pk=snapshot.pk)
    again = index.compute(index.Facts.from_dict(stored.facts), stored.weights)
    assert Decimal(str(again.score)) == stored.score
    assert {c.key: c.score for c in again.components} == stored.components


def test_a_held_meeting_raises_meetings_and_attendance(table):
    # the table's first days, when it had met at most once
    as_of = table.launched_on + dt.timedelta(days=3)
    before = index.compute(queries.facts_for(table, as_of))
    meeting = meetings.create_meeting(
        by=SYSTEM,
        table=table,
        title="Sesión",
        starts_at=timezone.make_aware(
            dt.datetime.combine(as_of - dt.timedelta(days=3), dt.time(9))
        ),
        place="Nueva Loja",
    )
    organizations = list(Organization.objects.filter(memberships__table=table).distinct())
    meetings.record_attendance(
        by=SYSTEM,
        meeting=meeting,
        rows=[meetings.AttendanceRow(o, "present") for o in organizations],
    )
    facts = queries.facts_for(table, as_of)
    after = index.compute(facts)
    assert facts.meetings_held == before.component("meetings").facts["held"] + 1
    assert after.component("meetings").score > before.component("meetings").score
    assert after.component("attendance").score > before.component("attendance").score


def test_a_report_published_on_time_raises_reports(table):
    before = _component(table, "reports").score
    missing = next(
        start
        for start, _end in queries._quarters_due(
            timezone.localdate() - dt.timedelta(days=364), timezone.localdate()
        )
        if not AccountabilityReport.objects.filter(table=table, starts_on=start).exists()
    )
    initiatives.publish_report(by=SYSTEM, table=table, period="quarter", day=missing)
    assert _component(table, "reports").score > before


def test_kept_and_broken_commitments_move_commitments(table):
    before = _component(table, "commitments")
    commitment = Commitment.objects.create(
        table=table,
        organization=_organization(table),
        what="Entregar el informe",
        to_whom="la mesa",
        due_on=timezone.localdate() - dt.timedelta(days=5),
    )
    broken = _component(table, "commitments")
    assert broken.facts["due"] == before.facts["due"] + 1 and broken.score < before.score
    initiatives.update_commitment(
        by=SYSTEM, commitment=commitment, status="fulfilled", evidence="Acta"
    )
    assert _component(table, "commitments").score > broken.score


def test_positions_from_one_sector_only_lower_the_balance(table, personas):
    before = _component(table, "sector_balance").score
    proposal = decisions.create_proposal(
        by=personas["other_secretariat"], table=table, title="P", text="T"
    )
    round = decisions.open_round(
        by=SYSTEM, proposal=proposal, closes_at=timezone.now() + dt.timedelta(days=3)
    )
    from minga.decisions.models import Position

    # positions recorded by indigenous organizations only (any organization may be counted)
    for organization in Organization.objects.filter(sector="indigenous")[:20]:
        Position.objects.create(round=round, organization=organization, stance="agree")
    assert _component(table, "sector_balance").score < before


def test_women_youth_and_training_move_with_the_people(table):
    before = queries.health_of(table)
    organization = _organization(table)
    people = []
    for i in range(6):
        person = tables.create_person(
            by=SYSTEM,
            table=table,
            full_name=f"Joven {i}",
            gender="mujer",
            birth_year=timezone.localdate().year - 20,
        )
        Membership.objects.create(
            table=table,
            organization=organization,
            person=person,
            role="member",
            seat="alternate",
            since=timezone.localdate(),
        )
        people.append(person)
    after = queries.health_of(table)
    women, youth = after.component("women"), after.component("youth")
    assert women.facts["women"] == before.component("women").facts["women"] + 6
    assert youth.facts["youth"] == before.component("youth").facts["youth"] + 6
    assert women.score > before.component("women").score or women.score == 1
    assert youth.score > before.component("youth").score or youth.score == 1
    untrained = (
        Organization.objects.filter(memberships__table=table)
        .exclude(pk__in=[organization.pk])
        .first()
    )
    trainee = Person.objects.filter(
        memberships__organization=untrained, memberships__table=table
    ).first()
    services.record_training(
        by=SYSTEM, table=table, title="Taller", held_on=timezone.localdate(), people=[trainee]
    )
    assert queries.health_of(table).component("training").score > after.component("training").score


def test_instruments_funding_and_shared_leadership(table, personas):
    before = queries.health_of(table)
    tables.add_instrument(
        by=SYSTEM,
        table=table,
        kind="ordinance",
        title="Ordenanza de creación de la mesa",
        signed_on=timezone.localdate() - dt.timedelta(days=2),
    )
    services.record_secretariat_funding(
        by=SYSTEM,
        table=table,
        source="Cooperación",
        amount=Decimal("10000.00"),
        currency="USD",
        starts_on=timezone.localdate() - dt.timedelta(days=1),
        ends_on=timezone.localdate() + dt.timedelta(days=400),
    )
    after = queries.health_of(table)
    assert after.component("instruments").score > before.component("instruments").score
    assert after.component("secretariat").score > before.component("secretariat").score
    # one person doing everything: leadership falls
    secretariat = personas["other_secretariat"]
    for i in range(25):
        services.add_risk(
            by=secretariat, table=table, kind="other", title=f"Riesgo {i}", likelihood=2, impact=2
        )
    concentrated = queries.health_of(table).component("leadership")
    assert concentrated.score is not None and concentrated.score < 0.5


# --- risks, incidents, training ----------------------------------------------------------------


def test_turnover_warning_six_months_before_an_election_with_its_checklist(table):
    warning = queries.turnover_warning(table)
    assert warning is not None and warning.days_left <= 183
    labels = dict(warning.checklist)
    assert len(labels) == 3
    assert Risk.objects.filter(
        table=table, key=f"turnover:{warning.election.pk}", open=True
    ).exists()
    later = timezone.localdate() + dt.timedelta(days=300)
    assert queries.turnover_warning(table, later) is None


def test_an_incident_convenes_a_crisis_meeting_and_closes_only_with_its_tasks_done(table, personas):
    incident = services.report_incident(
        by=personas["other_secretariat"],
        table=table,
        kind="wildfire",
        title="Incendio",
        description="Fuego en el bosque",
        occurred_on=timezone.localdate(),
    )
    assert incident.meeting.kind == "crisis" and incident.meeting.table == table
    assert incident.meeting.status == "draft"  # the secretariat sends it out
    with translation.override("en"), pytest.raises(ValidationError, match="at least one"):
        services.close_incident(by=SYSTEM, incident=incident, note="Fin")
    task = services.add_response_task(
        by=SYSTEM,
        incident=incident,
        title="Brigada",
        organization=_organization(table),
        due_on=timezone.localdate(),
    )
    with translation.override("en"), pytest.raises(ValidationError, match="still open"):
        services.close_incident(by=SYSTEM, incident=incident, note="Fin")
    services.complete_task(by=SYSTEM, task=task, note="Apagado")
    services.close_incident(by=SYSTEM, incident=incident, note="Fin")
    assert not Incident.objects.get(pk=incident.pk).is_open


@pytest.mark.parametrize("now_utc", ["2026-12-05T02:30:00+00:00", "2026-12-05T20:00:00+00:00"])
def test_the_crisis_meeting_is_tomorrow_at_ten_where_the_table_is_and_titled_once(
    table, personas, monkeypatch, now_utc
):
    """It was convened for 5 a.m. (10:00 UTC) and titled "Crisis meeting: Crisis meeting: …"."""
    now = dt.datetime.fromisoformat(now_utc)
    monkeypatch.setattr(timezone, "now", lambda: now)
    with translation.override("en"):
        incident = services.report_incident(
            by=personas["other_secretariat"], table=table, kind="wildfire",
            title="Crisis meeting: fire near Kutukú", description="Fuego en el bosque",
            occurred_on=timezone.localdate(now),
        )  # fmt: skip
    starts = timezone.localtime(incident.meeting.starts_at)
    assert (starts.hour, starts.minute) == (10, 0)
    assert starts.date() == timezone.localtime(now).date() + dt.timedelta(days=1)
    assert incident.meeting.title == "Crisis meeting: fire near Kutukú"


def test_a_fresh_field_alert_opens_an_incident_once(table, django_capture_on_commit_callbacks):
    from django.db import transaction

    from minga.core.events import record_event

    Incident.objects.filter(table=table, kind="wildfire").update(closed_at=timezone.now())
    for _i in range(2):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            record_event(
                "monitoring.alert_raised",
                actor=SYSTEM,
                table=table,
                payload={"kind": "fire", "observed_at": timezone.now().isoformat()},
            )
    opened = Incident.objects.filter(table=table, kind="wildfire", closed_at__isnull=True)
    assert opened.count() == 1 and opened.get().meeting is not None
    # an old alert arriving with an import is history
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        record_event(
            "monitoring.alert_raised",
            actor=SYSTEM,
            table=table,
            payload={"kind": "mining", "observed_at": "2020-01-01T00:00:00+00:00"},
        )
    assert not Incident.objects.filter(
        table=table, kind="illegal_activity", closed_at__isnull=True
    ).exists()


def test_bad_input_is_refused_and_nothing_written(table, personas):
    count = Incident.objects.count(), Risk.objects.count()
    with translation.override("en"):
        with pytest.raises(ValidationError, match="future"):
            services.report_incident(
                by=SYSTEM,
                table=table,
                kind="wildfire",
                title="x",
                description="y",
                occurred_on=timezone.localdate() + dt.timedelta(days=2),
            )
        with pytest.raises(ValidationError, match="not a kind"):
            services.add_risk(
                by=SYSTEM, table=table, kind="boredom", title="x", likelihood=1, impact=1
            )
        with pytest.raises(ValidationError, match="1 to 5"):
            services.add_risk(
                by=SYSTEM, table=table, kind="other", title="x", likelihood=9, impact=1
            )
        with pytest.raises(ValidationError, match="ISO 4217"):
            services.record_secretariat_funding(
                by=SYSTEM,
                table=table,
                source="x",
                amount=Decimal(1),
                currency="XYZ",
                starts_on=timezone.localdate(),
                ends_on=timezone.localdate(),
            )
    assert (Incident.objects.count(), Risk.objects.count()) == count


def test_the_health_page_shows_components_with_their_facts(client_for):
    page = client_for("public").get(f"/t/{OTHER_TABLE}/health/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    for key in index.COMPONENTS:
        assert f'id="component-{key}"' in html
    assert "Political turnover ahead" in html or "turnover" in html
    assert "Risk register" not in html  # members only
    member = client_for("other_secretariat").get(f"/t/{OTHER_TABLE}/health/")
    assert "Derrame" in member.content.decode()


def test_the_daily_command_stores_snapshots_and_refuses_bad_input(db):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("assess_health", "--as-of", "2026-01-31", stdout=out)
    assert "sucumbios:" in out.getvalue() and "morona-santiago:" in out.getvalue()
    assert HealthSnapshot.objects.filter(as_of="2026-01-31").count() == Table.objects.count()
    with pytest.raises(CommandError, match="not a date"):
        call_command("assess_health", "--as-of", "31/01/2026")
    with pytest.raises(CommandError, match="no table"):
        call_command("assess_health", "--table", "nowhere")


def test_one_health_figure_with_its_date_on_every_page(client_for, personas):
    """Health page, portal, API and a fund's gate read the same index, each with its date; a
    figure stored yesterday is not shown as today's."""
    from minga.funds import services as funds
    from minga.funds.models import Call
    from minga.portal import queries as portal
    from minga.portal.models import TableFigures

    table = Table.objects.get(slug=OTHER_TABLE)
    today = timezone.localdate()
    score = queries.health_of(table).score
    portal.store_figures(table)
    stale = timezone.make_aware(dt.datetime.combine(today, dt.time(0, 0))) - dt.timedelta(minutes=1)
    row = TableFigures.objects.get(table=table)
    row.figures = {**row.figures, "health": 12.3}
    row.computed_at = stale
    row.save()
    with translation.override("en"):
        day = formats.date_format(today, "DATE_FORMAT")
    public = client_for("public")
    page = public.get(f"/t/{OTHER_TABLE}/health/?lang=en").content.decode()
    assert f'id="health-score">{score}</strong>' in page
    assert f"as of {day}" in page
    portal_page = public.get(f"/portal/t/{OTHER_TABLE}/?lang=en").content.decode()
    assert "12.3" not in portal_page
    assert f"{score} / 100" in portal_page and day in portal_page
    api = public.get(f"/api/v1/tables/{OTHER_TABLE}/health").json()
    assert api["score"] == score and api["as_of"] == today.isoformat()
    call = Call.objects.filter(fund__slug="fondo-comun-mesas", kind="challenge").first()
    assert call is not None
    with translation.override("en"):
        detail = funds.eligibility(call, table)[0].shown().detail
    assert f"table's index {score} on {day}" in detail  # the day in the reader's notation
