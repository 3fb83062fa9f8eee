"""The registry's rules: verified issuance once per area-period, exact supply, idempotent moves,
concurrent retirements, certificates anyone can check, and fair distribution."""

import contextlib
import datetime as dt
import json
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection, connections
from django.db.models import Sum
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minga.core.access import SYSTEM
from minga.core.models import Event
from minga.credits import distribution
from minga.credits import services as credits
from minga.credits.models import Account, Balance, Batch, Project, Retirement
from minga.demo import data as demo
from minga.ledger import services as ledger
from minga.satellite.models import VerificationReport

DOCS = Path(__file__).resolve().parents[4] / "docs"


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def project(db):
    return Project.objects.get(project_id="BJ01-001")


@pytest.fixture
def batch(project):
    return project.batches.get()


@pytest.fixture
def holder(batch):
    return Account.objects.get(balances__batch=batch, kind="organization")


def supply_adds_up(batch):
    batch.refresh_from_db()
    assert batch.issued == batch.tradable + batch.retired + batch.cancelled + batch.escrowed
    held = Balance.objects.filter(batch=batch).aggregate(t=Sum("tradable"), r=Sum("retired"))
    assert held["t"] == batch.tradable and held["r"] == batch.retired


def test_the_demo_pilot(project, batch):
    assert project.credit_class.class_id == "BJ01" and batch.batch_id.startswith(
        "BJ01-001-20170101-20241231-"
    )
    sales = list(project.sales.order_by("sold_on"))
    assert sales[0].total == Decimal("16000.16") and not sales[0].committed
    assert sales[1].committed and sales[1].total == Decimal("7920.00")
    assert sum(s.credits for s in sales) <= batch.issued
    payouts = list(sales[0].payouts.all())
    assert sum(p.amount for p in payouts) == sales[0].total
    assert sum(p.amount for p in payouts if p.community) >= Decimal("0.6") * sales[0].total
    supply_adds_up(batch)


def test_sales_and_commitments_never_exceed_the_credits_issued(project, batch):
    """Pre-sale commitments promise issued credits: the registry refuses to promise more than
    were issued and not yet sold or promised, and writes nothing when it refuses."""
    buyer = credits.open_account(by=SYSTEM, table=project.table, kind="buyer", name="Otra")
    promised = sum(s.credits for s in project.sales.all())
    left = batch.issued - promised
    before = (project.sales.count(), Event.objects.count())
    with pytest.raises(credits.RegistryError, match="promised") as refused:
        credits.sell(
            by=SYSTEM,
            project=project,
            buyer=buyer,
            credits=left + 1,
            price=Decimal("1"),
            currency="USD",
            sold_on=dt.date(2025, 1, 1),
            committed=True,
        )
    assert "credits" in refused.value.message_dict
    assert (project.sales.count(), Event.objects.count()) == before
    credits.sell(
        by=SYSTEM,
        project=project,
        buyer=buyer,
        credits=left,
        price=Decimal("1"),
        currency="USD",
        sold_on=dt.date(2025, 1, 1),
        committed=True,
    )
    with pytest.raises(credits.RegistryError, match="promised"):
        credits.sell(
            by=SYSTEM,
            project=project,
            buyer=buyer,
            credits=1,
            price=Decimal("1"),
            currency="USD",
            sold_on=dt.date(2025, 1, 2),
            committed=True,
        )


@pytest.mark.parametrize(
    ("which", "start", "end", "message"),
    [
        ("own", (2024, 1, 1), (2024, 6, 30), "already issued"),
        ("none", (2016, 1, 1), (2016, 12, 31), "only against a verification report"),
        ("territory", (2021, 1, 1), (2021, 12, 31), "not for this project's area"),
        ("own", (2025, 1, 1), (2025, 12, 31), "covers 2017–2024"),
    ],
)
def test_issuance_needs_a_verification_of_the_area_and_period_and_happens_once(
    project, batch, holder, which, start, end, message
):
    events = Event.objects.count()
    report = {
        "own": batch.verification,
        "none": None,
        "territory": VerificationReport.objects.filter(territory__isnull=False).first(),
    }[which]
    with pytest.raises(credits.RegistryError, match=message):
        credits.issue_batch(
            by=SYSTEM,
            project=project,
            verification=report,
            start_date=dt.date(*start),
            end_date=dt.date(*end),
            amount=10,
            recipient=holder,
        )
    assert Event.objects.count() == events
    assert Batch.objects.filter(project=project).count() == 1


def test_retiring_more_than_the_balance_writes_nothing(batch, holder):
    events, retired = Event.objects.count(), batch.retired
    balance = Balance.objects.get(batch=batch, account=holder)
    with pytest.raises(credits.RegistryError, match="holds"):
        credits.retire(
            by=SYSTEM,
            batch=batch,
            account=holder,
            amount=balance.tradable + 1,
            beneficiary="X",
            reason="Y",
            jurisdiction="EC",
            idempotency_key="too-much",
        )
    for amount in (0, -5, 1.5):
        with pytest.raises(credits.RegistryError):
            credits.retire(
                by=SYSTEM,
                batch=batch,
                account=holder,
                amount=amount,
                beneficiary="X",
                reason="Y",
                jurisdiction="EC",
                idempotency_key=f"bad-{amount}",
            )
    batch.refresh_from_db()
    assert Event.objects.count() == events and batch.retired == retired


def test_the_same_idempotency_key_retires_once(batch, holder):
    first = credits.retire(
        by=SYSTEM,
        batch=batch,
        account=holder,
        amount=7,
        beneficiary="BID",
        reason="r",
        jurisdiction="EC",
        idempotency_key="once",
    )
    again = credits.retire(
        by=SYSTEM,
        batch=batch,
        account=holder,
        amount=7,
        beneficiary="BID",
        reason="r",
        jurisdiction="EC",
        idempotency_key="once",
    )
    assert again.pk == first.pk and Retirement.objects.filter(idempotency_key="once").count() == 1
    with pytest.raises(credits.RegistryError, match="different operation"):
        credits.retire(
            by=SYSTEM,
            batch=batch,
            account=holder,
            amount=8,
            beneficiary="BID",
            reason="r",
            jurisdiction="EC",
            idempotency_key="once",
        )
    supply_adds_up(batch)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["transfer", "retire", "cancel"]),
            st.integers(1, 4000),
            st.integers(0, 2),
        ),
        max_size=12,
    )
)
def test_the_supply_invariant_holds_under_any_sequence(batch, holder, ops):
    accounts = [holder, *Account.objects.filter(kind="buyer").order_by("pk")[:2]]
    for n, (op, amount, who) in enumerate(ops):
        account = accounts[who]
        try:
            if op == "transfer":
                credits.transfer(
                    by=SYSTEM,
                    batch=batch,
                    sender=account,
                    recipient=accounts[(who + 1) % 3],
                    amount=amount,
                    idempotency_key=f"h-{id(ops)}-{n}",
                )
            elif op == "retire":
                credits.retire(
                    by=SYSTEM,
                    batch=batch,
                    account=account,
                    amount=amount,
                    beneficiary="b",
                    reason="r",
                    jurisdiction="EC",
                    idempotency_key=f"h-{id(ops)}-{n}",
                )
            else:
                credits.cancel(
                    by=SYSTEM, batch=batch, account=account, amount=amount, reason="test"
                )
        except credits.RegistryError:
            pass
        supply_adds_up(batch)


@pytest.mark.flushes_db
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_retirements_against_a_balance_of_ten():
    if connection.vendor != "postgresql":
        pytest.skip("row locks under real concurrency need PostgreSQL (make test-postgres)")
    from minga.demo.load import load_demo

    load_demo(say=lambda line: None)
    batch = Project.objects.get(project_id="BJ01-001").batches.get()
    holder = Account.objects.get(balances__batch=batch, kind="organization")
    target = credits.open_account(by=SYSTEM, table=batch.project.table, kind="buyer", name="Ten")
    credits.transfer(
        by=SYSTEM, batch=batch, sender=holder, recipient=target, amount=10, idempotency_key="ten"
    )
    barrier = threading.Barrier(50)
    outcomes = []

    def worker(n):
        try:
            barrier.wait()
            credits.retire(
                by=SYSTEM,
                batch=batch,
                account=target,
                amount=1,
                beneficiary="b",
                reason="r",
                jurisdiction="EC",
                idempotency_key=f"c-{n}",
            )
            outcomes.append("ok")
        except credits.RegistryError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 10 and outcomes.count("refused") == 40
    balance = Balance.objects.get(batch=batch, account=target)
    assert (balance.tradable, balance.retired) == (0, 10)
    supply_adds_up(batch)


def forged(bundle, amount):
    """A certificate for a retirement that never happened: a one-leaf tree signed by a key the
    forger made, written into the certificate as its verifier key."""
    # Only the forger needs these.
    import base64
    import hashlib

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    leaf = bundle["leaf"].replace('"amount":5000', f'"amount":{amount}')
    root = hashlib.sha256(b"\x00" + leaf.encode()).digest()
    origin = bundle["checkpoint"].split("\n", 1)[0]
    text = f"{origin}\n1\n{base64.b64encode(root).decode()}\n"
    private = Ed25519PrivateKey.generate()
    raw = b"\x01" + private.public_key().public_bytes_raw()
    key_id = hashlib.sha256(b"forger\n" + raw).digest()[:4]
    signature = base64.b64encode(key_id + private.sign(text.encode())).decode()
    return dict(
        bundle,
        leaf=leaf,
        index=0,
        size=1,
        proof=[],
        checkpoint=f"{text}\n\u2014 forger {signature}\n",
        verifier_key=f"forger+{key_id.hex()}+{base64.b64encode(raw).decode()}",
    )


@contextlib.contextmanager
def key_server(key):
    """A table's site that serves ``key`` at /log/key."""
    # Only this fake site needs the HTTP server.
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            body = (key + "\n").encode() if self.path == "/log/key" else b""
            self.send_response(200 if body else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_certificate_anyone_can_check(client_for, tmp_path):
    ledger.publish()
    retirement = Retirement.objects.get(idempotency_key="demo-retirement-1")
    page = client_for("public").get(f"/credits/retirements/{retirement.public_id}/?lang=en")
    assert page.status_code == 200 and "Signed checkpoint" in page.content.decode()
    pdf = client_for("public").get(f"/credits/retirements/{retirement.public_id}.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    bundle = client_for("public").get(f"/credits/retirements/{retirement.public_id}.json").json()
    path = tmp_path / "certificate.json"
    path.write_text(json.dumps(bundle))
    script = DOCS / "verify_certificate.py"
    key = client_for("public").get("/log/key").content.decode().strip()

    def verify(*extra):
        return subprocess.run(
            [sys.executable, str(script), str(path), *extra], capture_output=True, text=True
        )

    ok = verify("--key", key)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "5000 credits of BJ01-001" in ok.stdout and ok.stdout.startswith("OK")
    # Without a trusted key nothing is proved, and the script says so.
    unproved = verify()
    assert unproved.returncode == 2 and unproved.stdout.startswith("UNPROVED")
    tampered = dict(bundle, leaf=bundle["leaf"].replace('"amount":5000', '"amount":50000'))
    path.write_text(json.dumps(tampered))
    bad = verify("--key", key)
    assert bad.returncode == 1 and "not included" in bad.stdout
    # A certificate forged whole with the forger's own key: it used to print "OK … in the signed
    # log"; now it proves nothing without a key, and fails with the table's.
    path.write_text(json.dumps(forged(bundle, 5_000_000)))
    assert verify().returncode == 2 and "OK" not in verify().stdout
    refused = verify("--key", key)
    assert refused.returncode == 1 and "does not verify" in refused.stdout
    # The key from the table's site, pinned on first use; a different key later is refused.
    path.write_text(json.dumps(bundle))
    pins = tmp_path / "pins.json"
    with key_server(key) as site:
        first = verify("--site", site, "--pins", str(pins))
        assert first.returncode == 0 and "pinned" in first.stdout, first.stdout
        assert json.loads(pins.read_text()) == {site: key}
    other = forged(bundle, 1)["verifier_key"]
    with key_server(other) as site:
        pins.write_text(json.dumps({site: key}))
        changed = verify("--site", site, "--pins", str(pins))
        assert changed.returncode == 1 and "different key" in changed.stdout
    # the script imports nothing from minga
    assert "minga" not in "".join(
        line for line in script.read_text().splitlines() if line.startswith(("import", "from"))
    )


def test_the_registry_page(client_for):
    body = client_for("public").get("/t/morona-santiago/credits/?lang=es").content.decode()
    assert "BJ01-001" in body and "Compradores del lanzamiento" in body


def r(name, community, hectares=0, families=0):
    return distribution.Recipient(name, community, Decimal(hectares), families)


def test_distribution_adds_up_to_the_cent_and_keeps_the_community_minimum():
    people = [r("A", True, 10, 5), r("B", True, 0, 1), r("NGO", False, 100, 0)]
    payouts = distribution.distribute(Decimal("100.00"), people, {"hectares": 1})
    assert sum(p.amount for p in payouts) == Decimal("100.00")
    assert sum(p.amount for p in payouts if p.community) == Decimal("60.00")  # scaled up to 60 %
    thirds = distribution.distribute(
        Decimal("100.00"), [r("X", True), r("Y", True), r("Z", True)], {"equal": 1}
    )
    assert [p.amount for p in thirds] == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    with pytest.raises(distribution.DistributionError, match="add up to 1"):
        distribution.distribute(Decimal(1), people, {"hectares": "0.5"})
    with pytest.raises(distribution.DistributionError, match="needs a community"):
        distribution.distribute(Decimal(1), [r("NGO", False, 1)], {"equal": 1})


def test_the_secretariat_retires_from_the_registry_page(client_for, batch):
    buyer = Account.objects.get(name="Compradores del lanzamiento (marzo 2024)")
    page = client_for("secretariat").get("/t/morona-santiago/credits/?lang=en").content.decode()
    assert "Issue, transfer or retire credits" in page
    form = {
        "action": "retire",
        "batch": batch.batch_id,
        "account": buyer.public_id,
        "amount": "25",
        "beneficiary": demo.BANK,
        "reason": "Compensación 2026",
        "jurisdiction": "EC",
        "idempotency_key": "web-1",
        "confirm": "on",
    }
    client = client_for("secretariat")
    assert client.post("/t/morona-santiago/credits/act/", form).status_code == 302
    assert client.post("/t/morona-santiago/credits/act/", form).status_code == 302  # a double click
    assert Retirement.objects.filter(idempotency_key="web-1").get().amount == 25
    too_much = dict(form, amount="99999999", idempotency_key="web-2")
    answer = client.post("/t/morona-santiago/credits/act/?lang=en", too_much, follow=True)
    assert "holds" in answer.content.decode()
    assert not Retirement.objects.filter(idempotency_key="web-2").exists()
    unconfirmed = {k: v for k, v in form.items() if k != "confirm"} | {"idempotency_key": "web-3"}
    answer = client.post("/t/morona-santiago/credits/act/?lang=en", unconfirmed, follow=True)
    assert "Tick the box to confirm that you want this to happen." in answer.content.decode()
    assert not Retirement.objects.filter(idempotency_key="web-3").exists()
    assert client_for("member").post("/t/morona-santiago/credits/act/", form).status_code == 403
    supply_adds_up(batch)


def test_issuing_from_the_registry_page_needs_the_box_that_says_it_is_for_good(
    client_for, project, batch, holder
):
    form = {
        "action": "issue",
        "project": project.project_id,
        "verification": batch.verification.public_id,
        "start_date": "2023-01-01",
        "end_date": "2023-12-31",
        "amount": "40",
        "recipient": holder.public_id,
    }
    client = client_for("secretariat")
    answer = client.post("/t/morona-santiago/credits/act/?lang=en", form, follow=True).content
    assert "Tick the box to confirm that you want this to happen." in answer.decode()
    assert "overlapping period" not in answer.decode()  # refused before the registry is asked
    # ticked, the issuance reaches the registry, which refuses the demo's covered period
    done = client.post(
        "/t/morona-santiago/credits/act/?lang=en", {**form, "confirm": "on"}, follow=True
    )
    assert "Credits for an overlapping period were already issued" in done.content.decode()
    assert project.batches.count() == 1


def test_registry_and_fund_figures_are_written_in_the_reader_s_locale(client_for, batch):
    from django.utils import formats

    from minga.funds.models import Fund

    for lang in ("es", "en"):
        with translation.override(lang):
            issued = formats.number_format(batch.issued, 0, force_grouping=True)
        page = (
            client_for("public")
            .get(f"/t/{batch.project.table.slug}/credits/?lang={lang}")
            .content.decode()
        )
        assert issued in page and f">{batch.issued}<" not in page
    fund = Fund.objects.get(slug="fondo-comun-mesas")
    page = client_for("public").get(f"/funds/{fund.slug}/?lang=es").content.decode()
    with translation.override("es"):
        pledged = formats.number_format(Decimal("250000.00"), 2, force_grouping=True)
        received = formats.number_format(fund.received, 2, force_grouping=True)
    assert f"{pledged} USD" in page and f"{received} USD" in page
    assert "250000" not in page and f"{fund.received} " not in page
