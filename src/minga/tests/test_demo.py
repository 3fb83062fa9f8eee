from django.core.management import call_command

from minga.demo.load import load_demo
from minga.tables.models import Membership, Organization, Sector, Table


def test_it_loads_both_tables_in_one_region(db):
    tables = Table.objects.select_related("region").order_by("slug")
    assert [t.slug for t in tables] == ["morona-santiago", "sucumbios"]
    assert tables[0].region == tables[1].region


def test_it_gives_morona_santiago_twenty_institutions_across_every_sector(db):
    organizations = Organization.objects.filter(
        memberships__table__slug="morona-santiago", memberships__until__isnull=True
    ).distinct()
    assert organizations.count() >= 20
    assert set(organizations.values_list("sector", flat=True)) == set(Sector.values)
    territory = Table.objects.get(slug="morona-santiago").territories.get()
    assert 1_225_000 < territory.hectares < 1_235_000
    assert "Tarímiat Pujutai Nunka" in territory.name


def test_it_seats_fifty_representatives_in_sucumbios(db):
    representatives = Membership.objects.active().filter(
        table__slug="sucumbios", person__isnull=False
    )
    assert representatives.count() == 50
    table = Table.objects.get(slug="sucumbios")
    assert table.launched_on.isoformat() == "2025-07-30"
    for axis in ("conservación de la biodiversidad", "producción sostenible", "gobernanza"):
        assert axis in table.description


def test_it_has_a_demo_user_for_every_role(db):
    roles = set(
        Membership.objects.active()
        .filter(
            person__user__username__in=["secretariat", "convener", "member", "monitor", "observer"]
        )
        .values_list("role", flat=True)
    )
    assert roles == {"secretariat", "convener", "member", "monitor", "observer"}


def test_it_loads_once(db, capsys):
    counts = (Organization.objects.count(), Membership.objects.count())
    assert load_demo(say=lambda line: None) is False
    call_command("load_demo")
    assert (Organization.objects.count(), Membership.objects.count()) == counts
    out = capsys.readouterr().out
    assert "already loaded" in out and "other_secretariat" in out and "minga-demo" in out


def test_it_holds_a_year_of_governance_for_both_tables(db):
    import datetime as dt

    from django.utils import timezone

    from minga.decisions.models import Decision, Proposal
    from minga.meetings.models import Meeting, Priority, RankingRound

    year_ago = timezone.now() - dt.timedelta(days=366)
    for slug in ("morona-santiago", "sucumbios"):
        held = Meeting.objects.filter(table__slug=slug, status="published", starts_at__gte=year_ago)
        assert held.count() >= 12
        assert set(held.values_list("kind", flat=True)) >= {"ordinary", "extraordinary"}
        assert all(m.attendance.exists() for m in held)
        assert Priority.objects.filter(table__slug=slug).count() >= 6
        ranking = RankingRound.objects.get(table__slug=slug)
        assert ranking.closed_at is not None and ranking.ballots.count() >= 15
        assert Decision.objects.filter(proposal__table__slug=slug).count() >= 2
        assert Proposal.objects.filter(table__slug=slug, status="open").exists()
        blocked_then_passed = Proposal.objects.filter(
            table__slug=slug, rounds__outcome_code="blocked"
        ).filter(rounds__outcome_code="passed_by_consent")
        assert blocked_then_passed.exists()
    assert Meeting.objects.filter(table__slug="sucumbios", kind="crisis").exists()


def test_it_holds_roadmaps_initiatives_overlaps_gaps_and_commitments(db):
    from minga.initiatives.models import Commitment, CommitmentStatus, Initiative
    from minga.initiatives.queries import alignment_of
    from minga.roadmap.models import Axis, Indicator

    axes = list(Axis.objects.filter(table__slug="sucumbios").values_list("name", flat=True))
    assert axes == ["Conservación de la biodiversidad", "Producción sostenible", "Gobernanza"]
    assert Indicator.objects.filter(objective__axis__table__slug="sucumbios").count() >= 3
    for slug in ("morona-santiago", "sucumbios"):
        table = Table.objects.get(slug=slug)
        initiatives = Initiative.objects.filter(table=table)
        assert initiatives.count() >= 30
        assert initiatives.values("organization").distinct().count() >= 15
        found = alignment_of(table)
        assert found.overlaps and found.objectives
        assert any(u["share"] > 50 for u in found.uncovered)
        statuses = set(Commitment.objects.filter(table=table).values_list("status", flat=True))
        assert statuses == set(CommitmentStatus.values)
        assert table.reports.exists()
