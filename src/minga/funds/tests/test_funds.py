"""Funds: the demo fund, eligibility gates, reviews with conflicts, awards and tranches gated by
health, IATI-typed transactions in the log, bad input refused with nothing written, and
concurrent awards that never overdraw a fund (PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.utils import timezone, translation

from minga.core.access import SYSTEM
from minga.core.models import Event
from minga.core.testing import DEMO_TABLE, OTHER_TABLE
from minga.demo import data as demo
from minga.funds import services as funds
from minga.funds.models import (
    Application,
    Award,
    Contribution,
    Fund,
    Review,
    Tranche,
    Transaction,
)
from minga.tables.models import Organization, Table


@pytest.fixture
def fund(db):
    return Fund.objects.get(slug="fondo-comun-mesas")


@pytest.fixture
def call(fund):
    return fund.calls.get(kind="challenge")


def _counts():
    return (
        Contribution.objects.count(),
        Transaction.objects.count(),
        Review.objects.count(),
        Tranche.objects.count(),
        Award.objects.count(),
        Event.objects.filter(type__startswith="funds.").count(),
    )


def test_the_demo_fund_pools_two_donors_and_adds_up(fund):
    donors = {c.donor.name for c in fund.contributions.all()}
    assert len(donors) == 2
    received = [c for c in fund.contributions.all() if c.received_on is not None]
    assert {c.currency for c in received} > {fund.currency}  # one donor gives in another currency
    for c in received:  # each converted at the rate it names, to the cent
        assert c.amount_in_fund == (c.amount * c.rate).quantize(Decimal("0.01"))
    assert fund.received == sum(c.amount_in_fund for c in received)
    assert fund.available == fund.received - fund.awarded
    assert {s.organization.sector for s in fund.seats.all()} >= {"indigenous", "funder"}
    types = set(fund.transactions.values_list("type", flat=True))
    assert types == {"1", "2", "3", "4", "11"}


def test_every_money_movement_is_an_event_with_its_iati_fields(fund):
    events = Event.objects.filter(type="funds.transaction_recorded")
    assert events.count() == fund.transactions.count()
    payload = events.filter(payload__transaction_type="3").first().payload
    assert payload["provider"] == fund.administrator.name
    assert payload["receiver_activity"].startswith(fund.iati_identifier)
    assert {"amount", "currency", "day", "provider_activity", "receiver"} <= set(payload)


def test_a_contribution_in_an_unknown_currency_is_refused(fund, personas):
    before = _counts()
    donor = Organization.objects.get(name=demo.RIVERS_FUND)
    with translation.override("en"), pytest.raises(ValidationError, match="ISO 4217"):
        funds.pledge(
            by=personas["observer"],
            fund=fund,
            donor=donor,
            amount=Decimal("100.00"),
            currency="XYZ",
            pledged_on=timezone.localdate(),
        )
    with translation.override("en"), pytest.raises(ValidationError, match="rate"):
        funds.pledge(
            by=personas["observer"],
            fund=fund,
            donor=donor,
            amount=Decimal("100.00"),
            currency="EUR",
            pledged_on=timezone.localdate(),
        )
    with pytest.raises(PermissionDenied):
        funds.pledge(
            by=personas["secretariat"],
            fund=fund,
            donor=donor,
            amount=Decimal("100.00"),
            currency="USD",
            pledged_on=timezone.localdate(),
        )
    assert _counts() == before


def test_a_reviewer_cannot_score_their_own_organizations_application(call, personas):
    application = Application.objects.get(call=call, table__slug=DEMO_TABLE)
    reviewer = personas["ngo"]
    role = call.fund.roles.get(user=reviewer)
    Application.objects.filter(pk=application.pk).update(organization=role.organization)
    application.refresh_from_db()
    application.reviews.filter(reviewer=reviewer).delete()
    before = _counts()
    with translation.override("en"), pytest.raises(ValidationError, match="your own organization"):
        funds.review(
            by=reviewer,
            application=application,
            conflict=False,
            scores={"alignment": 5, "participation": 5, "feasibility": 5, "continuity": 5},
        )
    assert _counts() == before


def test_a_conflicted_reviewer_does_not_score_and_an_award_needs_two_scores(call, personas):
    application = Application.objects.get(call=call, table__slug=DEMO_TABLE)
    reviews = list(application.reviews.all())
    assert [r.conflict for r in reviews] == [False, True]
    assert reviews[1].total is None and reviews[1].conflict_note
    with translation.override("en"), pytest.raises(ValidationError, match="2 reviews"):
        funds.award(
            by=personas["observer"],
            application=application,
            amount=Decimal("10000.00"),
            tranches=[funds.TranchePlan(Decimal("10000.00"))],
        )
    application.reviews.filter(reviewer=personas["ngo"]).delete()
    with translation.override("en"), pytest.raises(ValidationError, match="Score every"):
        funds.review(by=personas["ngo"], application=application, conflict=False, scores={})


def test_a_disbursement_above_the_award_is_refused(fund, personas):
    award = Award.objects.get(application__table__slug=OTHER_TABLE)
    before = _counts()
    with translation.override("en"), pytest.raises(ValidationError, match="exceed the award"):
        funds.add_tranche(by=personas["observer"], award=award, amount=Decimal("0.01"))
    with translation.override("en"), pytest.raises(ValidationError, match="add up"):
        funds.award(
            by=personas["observer"],
            application=Application.objects.get(call__kind="challenge", table__slug=DEMO_TABLE),
            amount=Decimal("100.00"),
            tranches=[funds.TranchePlan(Decimal("60.00"))],
        )
    with translation.override("en"), pytest.raises(ValidationError, match="not yet spent"):
        funds.record_expenditure(
            by=SYSTEM, award=award, amount=award.disbursed, description="Too much"
        )
    assert _counts() == before
    assert Award.objects.get(pk=award.pk).disbursed == Decimal("15000.00")


def test_a_tranche_is_refused_while_health_is_low_and_the_reason_kept(fund, personas):
    award = Award.objects.get(application__table__slug=OTHER_TABLE)
    second = award.tranches.get(number=2)
    funds.mark_milestone(by=personas["observer"], tranche=second, met_on=timezone.localdate())
    Tranche.objects.filter(pk=second.pk).update(min_health=Decimal("99.0"))
    second.refresh_from_db()
    with translation.override("en"), pytest.raises(ValidationError, match="health"):
        funds.release_tranche(by=personas["observer"], tranche=second)
    second.refresh_from_db()
    assert second.released_on is None and second.last_check["released"] is False
    assert Event.objects.filter(type="funds.tranche_refused").exists()
    assert Award.objects.get(pk=award.pk).disbursed == Decimal("15000.00")
    Tranche.objects.filter(pk=second.pk).update(min_health=Decimal("10.0"))
    second.refresh_from_db()
    funds.release_tranche(by=personas["observer"], tranche=second)
    award.refresh_from_db()
    assert award.disbursed == award.amount
    assert Fund.objects.get(pk=fund.pk).disbursed == fund.disbursed + second.amount


def test_only_eligible_tables_can_apply(call, personas):
    table = Table.objects.get(slug=OTHER_TABLE)
    fresh = funds.open_call(
        by=personas["observer"],
        fund=call.fund,
        title="Llamado exigente",
        kind="challenge",
        goal="ndc",
        closes_on=timezone.localdate() + dt.timedelta(days=10),
        max_award=Decimal("1000.00"),
        min_health=Decimal("99.5"),
    )
    before = Application.objects.count()
    with translation.override("en"), pytest.raises(ValidationError, match="not eligible"):
        funds.apply(
            by=personas["other_secretariat"],
            call=fresh,
            table=table,
            title="T",
            summary="S",
            amount=Decimal("500.00"),
        )
    with translation.override("en"), pytest.raises(ValidationError, match="at most"):
        funds.apply(
            by=personas["other_secretariat"],
            call=fresh,
            table=table,
            title="T",
            summary="S",
            amount=Decimal("5000.00"),
        )
    with pytest.raises(PermissionDenied):
        funds.apply(
            by=personas["member"],
            call=fresh,
            table=Table.objects.get(slug=DEMO_TABLE),
            title="T",
            summary="S",
            amount=Decimal("500.00"),
        )
    assert Application.objects.count() == before
    gates = funds.eligibility(fresh, table)
    assert [g.passed for g in gates] == [False, True]


def test_a_fellowship_needs_a_woman_or_young_fellow_with_a_seat(call, personas):
    fellowship = funds.open_call(
        by=personas["observer"],
        fund=call.fund,
        title="Becas",
        kind="fellowship",
        goal="territorial_plan",
        closes_on=timezone.localdate() + dt.timedelta(days=10),
        max_award=Decimal("3000.00"),
        min_health=Decimal(0),
    )
    table = Table.objects.get(slug=OTHER_TABLE)
    people = list(table.memberships.filter(person__isnull=False).select_related("person"))
    woman = next(m.person for m in people if m.person.gender == "mujer")
    older_man = next(
        m.person
        for m in people
        if m.person.gender == "hombre" and m.person.birth_year and m.person.birth_year < 1990
    )
    assert all(g.passed for g in funds.eligibility(fellowship, table, woman))
    assert not funds.eligibility(fellowship, table, older_man)[-1].passed
    application = funds.apply(
        by=personas["other_secretariat"],
        call=fellowship,
        table=table,
        title="Beca",
        summary="Formación",
        amount=Decimal("3000.00"),
        fellow=woman,
    )
    assert application.fellow == woman


def test_the_fund_pages(client_for, fund, call):
    public = client_for("public")
    assert public.get("/funds/").status_code == 200
    page = public.get(f"/funds/{fund.slug}/")
    assert page.status_code == 200 and demo.RIVERS_FUND in page.content.decode()
    csv = public.get(f"/funds/{fund.slug}/transactions.csv").content.decode()
    assert csv.splitlines()[0].startswith("day,iati_transaction_type")
    assert len(csv.splitlines()) == fund.transactions.count() + 1
    application = call.applications.get(table__slug=OTHER_TABLE)
    html = public.get(f"/funds/applications/{application.public_id}/").content.decode()
    assert "tranche-1" in html and "tranche-2" in html


@pytest.mark.flushes_db
@pytest.mark.django_db(transaction=True)
def test_concurrent_awards_never_overdraw_a_fund():
    if connection.vendor != "postgresql":
        pytest.skip("row locks under real concurrency need PostgreSQL (make test-postgres)")
    from django.contrib.auth import get_user_model

    from minga.demo.load import load_demo

    load_demo(say=lambda line: None)
    User = get_user_model()
    observer = User.objects.get(username="observer")
    reviewers = [User.objects.get(username=u) for u in ("ngo", "member")]
    fund = Fund.objects.get(slug="fondo-comun-mesas")
    call = fund.calls.get(kind="challenge")
    table = Table.objects.get(slug=OTHER_TABLE)
    # the fund holds exactly 10,000; thirty reviewed applications of 1,000 each race for it
    Fund.objects.filter(pk=fund.pk).update(
        received=fund.awarded + Decimal("10000.00"), available=Decimal("10000.00")
    )
    applicant = Organization.objects.get(name=demo.OTHER_PREFECTURE)
    people = [m.person for m in table.memberships.filter(person__isnull=False)[:30]]
    applications = []
    for n, person in enumerate(people):
        application = Application.objects.create(
            call=call,
            table=table,
            organization=applicant,
            fellow=person,
            title=f"A{n}",
            summary="S",
            amount=Decimal("1000.00"),
        )
        for reviewer in reviewers:
            Review.objects.create(
                application=application,
                reviewer=reviewer,
                organization=call.fund.roles.get(user=reviewer).organization,
                total=Decimal(3),
            )
        applications.append(application)
    assert len(applications) == 30
    barrier = threading.Barrier(len(applications))
    outcomes = []

    def worker(application):
        try:
            barrier.wait()
            funds.award(
                by=observer,
                application=application,
                amount=Decimal("1000.00"),
                tranches=[funds.TranchePlan(Decimal("1000.00"))],
            )
            outcomes.append("ok")
        except funds.FundsError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(a,)) for a in applications]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 10 and outcomes.count("refused") == 20
    fund.refresh_from_db()
    assert fund.available == 0 and fund.available == fund.received - fund.awarded
    assert Award.objects.filter(application__in=applications).count() == 10
