"""Every change to the credit registry: issue, transfer, sell, retire, cancel, distribute.

Each service checks the actor's role, runs in one transaction, locks the rows it changes in a
fixed order (the batch, then its balances by account id), keeps
``issued = tradable + retired + cancelled + escrowed`` (the database refuses anything else), and
records an event that the transparency log then carries. Transfers and retirements take an
idempotency key: the same key twice gives back the first result and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from minga.core.access import Actor, person_user
from minga.core.events import record_event
from minga.credits import distribution, events
from minga.credits.models import (
    Account,
    AccountKind,
    Balance,
    Batch,
    Cancellation,
    CreditClass,
    CreditType,
    DistributionRule,
    Payout,
    Project,
    Retirement,
    Sale,
    Transfer,
)
from minga.labels import queries as labels
from minga.labels.models import Label, Target
from minga.satellite.models import VerificationReport
from minga.tables.models import Table
from minga.tables.queries import require


class RegistryError(ValidationError):
    """A registry operation refused, with the reason for the person who asked."""

    def __str__(self) -> str:
        return " ".join(self.messages)


def _positive(amount: int) -> None:
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise RegistryError(_("The amount must be a whole number of credits above zero."))


def _lock(batch: Batch, accounts: list[Account]) -> tuple[Batch, dict[int, Balance]]:
    """Lock the batch, then its balances for ``accounts`` in account-id order (created if new)."""
    locked = Batch.objects.select_for_update().get(pk=batch.pk)
    ids = sorted({a.pk for a in accounts})
    for account_id in ids:
        if not Balance.objects.filter(batch=locked, account_id=account_id).exists():
            try:
                with transaction.atomic():
                    Balance.objects.create(batch=locked, account_id=account_id)
            except IntegrityError:
                pass  # created meanwhile by another transaction
    balances = {
        b.account_id: b
        for b in Balance.objects.select_for_update()
        .filter(batch=locked, account_id__in=ids)
        .order_by("account_id")
    }
    return locked, balances


def _debit(holding: Balance, amount: int, account: Account, batch: Batch) -> None:
    """Take ``amount`` tradable credits from a locked balance, or refuse with what it holds."""
    if holding.tradable < amount:
        raise RegistryError(
            _("%(account)s holds %(n)s tradable credits of %(batch)s.")
            % {"account": account.name, "n": holding.tradable, "batch": batch.batch_id}
        )
    holding.tradable -= amount


def _once[T](model: type[T], key: str, act: Callable[[], T], **same: Any) -> T:
    """Run ``act`` once per idempotency key: a repeat (even a concurrent one) gets the first
    result back, if it asks for the same thing."""
    manager: Any = model.objects  # type: ignore[attr-defined]
    earlier: T | None = manager.filter(idempotency_key=key).first()
    if earlier is None:
        try:
            with transaction.atomic():
                return act()
        except IntegrityError:
            earlier = manager.filter(idempotency_key=key).first()
            if earlier is None:
                raise
    return _same(earlier, **same)


# --- classes, projects, accounts ---------------------------------------------------------------


def create_credit_class(
    *,
    by: Actor,
    table: Table,
    class_id: str,
    name: str,
    type_abbreviation: str,
    type_name: str,
    unit: str,
    admin: Any,
    credits_per_hectare_year: Decimal = Decimal(1),
    methodology: str = "",
) -> CreditClass:
    require(by, table, "credits.manage")
    if not re.fullmatch(r"[A-Z]{1,3}[0-9]{2,}", class_id):
        raise RegistryError(_("A class id is one to three capitals and two or more digits (BJ01)."))
    with transaction.atomic():
        credit_type, _created = CreditType.objects.get_or_create(
            abbreviation=type_abbreviation, defaults={"name": type_name, "unit": unit}
        )
        made = CreditClass.objects.create(
            class_id=class_id,
            credit_type=credit_type,
            name=name,
            admin=admin,
            credits_per_hectare_year=credits_per_hectare_year,
            methodology=methodology,
        )
        record_event(
            events.CLASS_CREATED,
            actor=by,
            table=table,
            subject=made,
            payload={"class": class_id, "name": name, "unit": unit},
        )
    return made


def create_project(
    *,
    by: Actor,
    table: Table,
    credit_class: CreditClass,
    name: str,
    steward: Any,
    agreement: Any = None,
    territory: Any = None,
    description: str = "",
) -> Project:
    require(by, table, "credits.manage")
    if (agreement is None) == (territory is None):
        raise RegistryError(_("A project lies on one agreement's area or one territory."))
    with transaction.atomic():
        CreditClass.objects.select_for_update().get(pk=credit_class.pk)
        number = Project.objects.filter(credit_class=credit_class).count() + 1
        made = Project.objects.create(
            project_id=f"{credit_class.class_id}-{number:03d}",
            credit_class=credit_class,
            table=table,
            name=name,
            steward=steward,
            agreement=agreement,
            territory=territory,
            description=description,
        )
        record_event(
            events.PROJECT_CREATED,
            actor=by,
            table=table,
            subject=made,
            payload={"project": made.project_id, "class": credit_class.class_id, "name": name},
        )
    return made


def open_account(
    *, by: Actor, table: Table, kind: str, name: str, organization: Any = None, person: Any = None
) -> Account:
    require(by, table, "credits.manage")
    if kind not in AccountKind.values:
        raise RegistryError(_("Unknown kind of account."))
    with transaction.atomic():
        made = Account.objects.create(
            table=table, kind=kind, name=name, organization=organization, person=person
        )
        record_event(
            events.ACCOUNT_OPENED,
            actor=by,
            table=table,
            subject=made,
            payload={"account": made.public_id, "kind": kind, "name": name},
        )
    return made


# --- issuance ----------------------------------------------------------------------------------


def issuable(project: Project, report: VerificationReport, start: dt.date, end: dt.date) -> int:
    """Credits a verification report allows for ``start``–``end``: verified ha × years × rate."""
    years = end.year - start.year + 1
    rate = project.credit_class.credits_per_hectare_year
    return int((report.verified_ha * years * rate).to_integral_value(rounding=ROUND_DOWN))


def issue_batch(
    *,
    by: Actor,
    project: Project,
    verification: VerificationReport,
    start_date: dt.date,
    end_date: dt.date,
    amount: int,
    recipient: Account,
) -> Batch:
    """Issue credits for one verified area-period — never twice for an overlapping period."""
    require(by, project.table, "credits.manage")
    _positive(amount)
    if verification is None:
        raise RegistryError(_("Credits are issued only against a verification report."))
    if end_date < start_date:
        raise RegistryError(_("The period must run forward."))
    if verification.table_id != project.table_id or (
        verification.agreement_id,
        verification.territory_id,
    ) != (project.agreement_id, project.territory_id):
        raise RegistryError(_("The verification report is not for this project's area."))
    if not verification.start_year <= start_date.year <= end_date.year <= verification.end_year:
        raise RegistryError(
            _("The verification report covers %(a)s–%(b)s, not this period.")
            % {"a": verification.start_year, "b": verification.end_year}
        )
    allowed = issuable(project, verification, start_date, end_date)
    if amount > allowed:
        raise RegistryError(
            _("The verification allows at most %(n)s credits for this period.") % {"n": allowed}
        )
    if recipient.table_id != project.table_id:
        raise RegistryError(_("The account belongs to another table."))
    with transaction.atomic():
        Project.objects.select_for_update().get(pk=project.pk)  # one issuance at a time
        overlap = Batch.objects.filter(
            project=project, start_date__lte=end_date, end_date__gte=start_date
        ).first()
        if overlap is not None:
            raise RegistryError(
                _("Credits for an overlapping period were already issued: %(batch)s.")
                % {"batch": overlap.batch_id}
            )
        prefix = f"{project.project_id}-{start_date:%Y%m%d}-{end_date:%Y%m%d}"
        number = Batch.objects.filter(batch_id__startswith=prefix).count() + 1
        batch = Batch.objects.create(
            batch_id=f"{prefix}-{number:03d}",
            project=project,
            start_date=start_date,
            end_date=end_date,
            verification=verification,
            issued=amount,
            tradable=amount,
        )
        Balance.objects.create(account=recipient, batch=batch, tradable=amount)
        record_event(
            events.BATCH_ISSUED,
            actor=by,
            table=project.table,
            subject=batch,
            payload={
                "batch": batch.batch_id,
                "project": project.project_id,
                "amount": amount,
                "to": recipient.public_id,
                "verification": verification.public_id,
                "verified_ha": str(verification.verified_ha),
            },
        )
    return batch


# --- movements ---------------------------------------------------------------------------------


def transfer(
    *,
    by: Actor,
    batch: Batch,
    sender: Account,
    recipient: Account,
    amount: int,
    idempotency_key: str,
) -> Transfer:
    require(by, batch.project.table, "credits.manage")
    _positive(amount)
    if sender.pk == recipient.pk:
        raise RegistryError(_("Sender and recipient are the same account."))

    def act() -> Transfer:
        locked, balances = _lock(batch, [sender, recipient])
        _debit(balances[sender.pk], amount, sender, locked)
        balances[recipient.pk].tradable += amount
        balances[sender.pk].save(update_fields=["tradable"])
        balances[recipient.pk].save(update_fields=["tradable"])
        made = Transfer.objects.create(
            batch=locked,
            sender=sender,
            recipient=recipient,
            amount=amount,
            idempotency_key=idempotency_key,
        )
        record_event(
            events.CREDITS_TRANSFERRED,
            actor=by,
            table=batch.project.table,
            subject=made,
            payload={
                "batch": locked.batch_id,
                "from": sender.public_id,
                "to": recipient.public_id,
                "amount": amount,
            },
        )
        return made

    return _once(
        Transfer,
        idempotency_key,
        act,
        batch=batch,
        sender=sender,
        recipient=recipient,
        amount=amount,
    )


def _same[T](earlier: T, **wanted: Any) -> T:
    """The earlier result of an idempotency key — if the request is the same one."""
    for field, value in wanted.items():
        mine = getattr(earlier, f"{field}_id") if hasattr(value, "pk") else getattr(earlier, field)
        if mine != getattr(value, "pk", value):
            raise RegistryError(_("This idempotency key was used for a different operation."))
    return earlier


def _unpromised(project: Project) -> int:
    """Credits issued for the project and neither sold nor promised in a pre-sale commitment."""
    issued = Batch.objects.filter(project=project).aggregate(n=Sum("issued"))["n"] or 0
    promised = Sale.objects.filter(project=project).aggregate(n=Sum("credits"))["n"] or 0
    return int(issued - promised)


def non_commercial_labels(project: Project) -> list[Label]:
    """The community's non-commercial labels (TK or BC Non-Commercial) on the project's area."""
    agreement = project.agreement
    if agreement is None:
        return []
    found = labels.on(Target.AGREEMENT, [agreement.public_id])
    return [label for label in found.get(agreement.public_id, []) if label.non_commercial]


def sell(
    *,
    by: Actor,
    project: Project,
    buyer: Account,
    credits: int,
    price: Decimal,
    currency: str,
    sold_on: dt.date,
    payment_reference: str = "",
    seller: Account | None = None,
    batch: Batch | None = None,
    committed: bool = False,
) -> Sale:
    """A sale delivered from ``seller``'s balance of ``batch`` — or a pre-sale commitment."""
    require(by, project.table, "credits.manage")
    _positive(credits)
    barred = non_commercial_labels(project)
    if barred:
        raise RegistryError(
            _("%(community)s put %(label)s on this project's area: its credits are not for sale.")
            % {"community": barred[0].community.name, "label": barred[0].name}
        )
    if price < 0 or len(currency) != 3 or not currency.isupper():
        raise RegistryError(_("A price needs a non-negative amount and an ISO 4217 currency."))
    total = (price * credits).quantize(Decimal("0.01"))
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=project.pk).first()  # one sale at a time
        left = _unpromised(project)
        if credits > left:
            raise RegistryError(
                {
                    "credits": _(
                        "Only %(left)s credits of this project are issued and not yet sold or "
                        "promised; a sale or pre-sale commitment cannot exceed them."
                    )
                    % {"left": number_format(left, force_grouping=True)}
                }
            )
        moved = None
        if not committed:
            if seller is None or batch is None or batch.project_id != project.pk:
                raise RegistryError(
                    _("A delivered sale names the seller and a batch of the project.")
                )
            moved = transfer(
                by=by,
                batch=batch,
                sender=seller,
                recipient=buyer,
                amount=credits,
                idempotency_key=f"sale:{project.project_id}:{buyer.public_id}:{payment_reference}:{sold_on}",
            )
        made = Sale.objects.create(
            project=project,
            buyer=buyer,
            credits=credits,
            price=price,
            currency=currency,
            total=total,
            payment_reference=payment_reference,
            committed=committed,
            transfer=moved,
            sold_on=sold_on,
        )
        record_event(
            events.SALE_COMMITTED if committed else events.CREDITS_SOLD,
            actor=by,
            table=project.table,
            subject=made,
            payload={
                "project": project.project_id,
                "buyer": buyer.public_id,
                "credits": credits,
                "price": str(price),
                "currency": currency,
                "total": str(total),
            },
        )
    return made


def retire(
    *,
    by: Actor,
    batch: Batch,
    account: Account,
    amount: int,
    beneficiary: str,
    reason: str,
    jurisdiction: str,
    idempotency_key: str,
) -> Retirement:
    """Take credits out of circulation for good, on behalf of ``beneficiary``."""
    require(by, batch.project.table, "credits.manage")
    _positive(amount)
    if not beneficiary.strip() or not jurisdiction.strip():
        raise RegistryError(_("A retirement names its beneficiary and jurisdiction."))

    def act() -> Retirement:
        locked, balances = _lock(batch, [account])
        holding = balances[account.pk]
        _debit(holding, amount, account, locked)
        holding.retired += amount
        holding.save(update_fields=["tradable", "retired"])
        locked.tradable -= amount
        locked.retired += amount
        locked.save(update_fields=["tradable", "retired", "updated_at"])
        made = Retirement.objects.create(
            batch=locked,
            account=account,
            amount=amount,
            beneficiary=beneficiary.strip(),
            reason=reason.strip(),
            jurisdiction=jurisdiction.strip(),
            idempotency_key=idempotency_key,
        )
        made.event = record_event(
            events.CREDITS_RETIRED,
            actor=by,
            table=batch.project.table,
            subject=made,
            payload={
                "retirement": made.public_id,
                "batch": locked.batch_id,
                "account": account.public_id,
                "amount": amount,
                "beneficiary": made.beneficiary,
                "reason": made.reason,
                "jurisdiction": made.jurisdiction,
            },
        )
        made.save(update_fields=["event"])
        return made

    return _once(Retirement, idempotency_key, act, batch=batch, account=account, amount=amount)


def cancel(*, by: Actor, batch: Batch, account: Account, amount: int, reason: str) -> Cancellation:
    require(by, batch.project.table, "credits.manage")
    _positive(amount)
    if not reason.strip():
        raise RegistryError(_("A cancellation gives its reason."))
    with transaction.atomic():
        locked, balances = _lock(batch, [account])
        holding = balances[account.pk]
        _debit(holding, amount, account, locked)
        holding.save(update_fields=["tradable"])
        locked.tradable -= amount
        locked.cancelled += amount
        locked.save(update_fields=["tradable", "cancelled", "updated_at"])
        made = Cancellation.objects.create(
            batch=locked, account=account, amount=amount, reason=reason
        )
        record_event(
            events.CREDITS_CANCELLED,
            actor=by,
            table=batch.project.table,
            subject=locked,
            payload={
                "batch": locked.batch_id,
                "account": account.public_id,
                "amount": amount,
                "reason": reason,
            },
        )
    return made


# --- benefit distribution ----------------------------------------------------------------------


def set_distribution_rule(
    *,
    by: Actor,
    project: Project,
    weights: dict[str, Any],
    shares: list[dict[str, Any]],
    minimum_community_share: Decimal = Decimal("0.6"),
    decision: Any = None,
) -> DistributionRule:
    require(by, project.table, "credits.manage")
    recipients = _recipients(shares)
    try:
        distribution.shares(recipients, weights, minimum_community_share)
    except distribution.DistributionError as exc:
        raise RegistryError(str(exc)) from None
    with transaction.atomic():
        DistributionRule.objects.filter(project=project, active=True).update(active=False)
        rule = DistributionRule.objects.create(
            project=project,
            decision=decision,
            weights={k: str(v) for k, v in weights.items()},
            minimum_community_share=minimum_community_share,
            shares=shares,
        )
        record_event(
            events.DISTRIBUTION_RULE_SET,
            actor=by,
            table=project.table,
            subject=rule,
            payload={
                "project": project.project_id,
                "weights": rule.weights,
                "minimum_community_share": str(minimum_community_share),
                "decision": decision.pk if decision else None,
            },
        )
    return rule


def _recipients(shares: list[dict[str, Any]]) -> list[distribution.Recipient]:
    return [
        distribution.Recipient(
            name=str(s["name"]),
            community=bool(s.get("community")),
            hectares=Decimal(str(s.get("hectares", 0))),
            families=int(s.get("families", 0)),
        )
        for s in shares
    ]


def distribute_sale(*, by: Actor, sale: Sale) -> list[Payout]:
    """Record the payouts of a delivered sale under the project's active rule."""
    require(by, sale.project.table, "credits.manage")
    if sale.committed:
        raise RegistryError(_("A pre-sale commitment has no income to share yet."))
    rule = DistributionRule.objects.filter(project=sale.project, active=True).first()
    if rule is None:
        raise RegistryError(_("The table has not decided a distribution rule for this project."))
    if sale.payouts.exists():
        raise RegistryError(_("This sale's income was already distributed."))
    payouts = distribution.distribute(
        sale.total,
        _recipients(rule.shares),
        rule.weights,
        minimum_community_share=rule.minimum_community_share,
    )
    with transaction.atomic():
        made = [
            Payout.objects.create(
                sale=sale,
                rule=rule,
                recipient=p.name,
                community=p.community,
                amount=p.amount,
                currency=sale.currency,
                paid_by=person_user(by),
            )
            for p in payouts
        ]
        record_event(
            events.INCOME_DISTRIBUTED,
            actor=by,
            table=sale.project.table,
            subject=sale,
            payload={
                "sale": sale.public_id,
                "payouts": [{"to": p.name, "amount": str(p.amount)} for p in payouts],
                "currency": sale.currency,
            },
        )
    return made
