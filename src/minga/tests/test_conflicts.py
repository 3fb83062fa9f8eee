"""Two people editing one record get a conflict, not a silent overwrite."""

from __future__ import annotations

from minga.core.models import Event
from minga.tables.models import Table
from minga.tests.production import DEMO_TABLE


def test_two_secretariats_editing_the_table_get_a_conflict_not_an_overwrite(client_for, personas):
    from minga.tables.models import Membership

    table = Table.objects.get(slug=DEMO_TABLE)
    second = personas["convener"]
    Membership.objects.filter(table=table, person__user=second).update(role="secretariat")
    ana, luis = client_for("secretariat"), client_for("convener")
    form_a = ana.get(f"/t/{DEMO_TABLE}/edit/").context["form"]
    form_b = luis.get(f"/t/{DEMO_TABLE}/edit/").context["form"]
    seen = form_a["seen"].value()
    assert seen and seen == form_b["seen"].value()

    def post(client, form, **changes):
        data = {name: form[name].value() or "" for name in form.fields}
        data.update(changes)
        return client.post(f"/t/{DEMO_TABLE}/edit/?lang=en", data)

    assert post(ana, form_a, description="Versión de Ana").status_code == 302
    events = Event.objects.count()
    late = post(luis, form_b, description="Versión de Luis")
    assert late.status_code == 409
    page = late.content.decode()
    assert "Someone else saved this record" in page
    assert "Versión de Ana" in page and "Versión de Luis" in page  # theirs shown, mine kept
    table.refresh_from_db()
    assert table.description == "Versión de Ana"
    assert Event.objects.count() == events
    # Saving again from the conflict page, knowingly, goes through.
    again = late.context["form"]
    assert post(luis, again, description="Versión de Luis").status_code == 302
    table.refresh_from_db()
    assert table.description == "Versión de Luis"


def test_two_people_updating_one_commitment_get_a_conflict(client_for, personas):
    import re

    from minga.initiatives.models import Commitment, CommitmentStatus

    commitment = Commitment.objects.filter(
        table__slug=DEMO_TABLE, status=CommitmentStatus.PENDING
    ).first()
    url = f"/t/{DEMO_TABLE}/commitments/{commitment.public_id}/"
    ana, luis = client_for("secretariat"), client_for("convener")

    def seen_by(client):
        page = client.get(f"/t/{DEMO_TABLE}/commitments/?page=1").content.decode()
        form = page[page.index(f'action="{url}"') :]
        return re.search(r'name="seen" value="([^"]+)"', form).group(1)

    seen_a, seen_b = seen_by(ana), seen_by(luis)
    assert seen_a == seen_b
    done = ana.post(url, {"status": "fulfilled", "evidence": "Acta 12", "seen": seen_a})
    assert done.status_code == 302
    late = luis.post(
        url + "?lang=en",
        {"status": "dropped", "evidence": "Sin fondos", "seen": seen_b},
        follow=True,
    )
    assert "Someone else saved this record" in late.content.decode()
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.FULFILLED and commitment.evidence == "Acta 12"
