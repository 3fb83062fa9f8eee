"""Which labels are on which records, for pages, maps, open data and the API."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from minga.agreements.models import Agreement
from minga.core.access import Sensitivity
from minga.labels.models import Applied, HubProject, Label, Target
from minga.library.models import Document
from minga.monitoring.models import KIND_CHOICES, CategoryLabel, Observation
from minga.tables.models import Table


def labels_of(table: Table) -> QuerySet[Label]:
    return Label.objects.filter(table=table).select_related("community", "hub_project")


def hub_projects_of(table: Table) -> QuerySet[HubProject]:
    return HubProject.objects.filter(table=table).select_related("community").order_by("title")


def applied_of(table: Table) -> QuerySet[Applied]:
    return Applied.objects.filter(label__table=table).select_related("label__community")


def on(target: str, ids: Iterable[str]) -> dict[str, list[Label]]:
    """The labels on each of these records (agreements, documents or categories)."""
    found: dict[str, list[Label]] = defaultdict(list)
    for applied in Applied.objects.filter(target=target, target_id__in=list(ids)).select_related(
        "label__community", "label__hub_project"
    ):
        found[applied.target_id].append(applied.label)
    return found


def on_observations(observations: Iterable[Any]) -> dict[str, list[Label]]:
    """Each observation's labels: its own, and its community's on its type or categories."""
    items = list(observations)
    if not items:
        return {}
    own = on(Target.OBSERVATION, [o.public_id for o in items])
    tables = {o.table_id for o in items}
    by_code: dict[tuple[int, int, str], list[Label]] = defaultdict(list)
    for applied in Applied.objects.filter(
        target=Target.CATEGORY, label__table_id__in=tables
    ).select_related("label__community", "label__hub_project"):
        label = applied.label
        by_code[(label.table_id, label.community_id, applied.target_id)].append(label)
    found: dict[str, list[Label]] = {}
    for o in items:
        labels = list(own.get(o.public_id, []))
        for code in [o.kind, *(o.categories or [])]:
            for label in by_code.get((o.table_id, o.owner_id, code), []):
                if label not in labels:
                    labels.append(label)
        if labels:
            found[o.public_id] = labels
    return found


def shown(labels: Iterable[Label], language: str) -> list[dict[str, Any]]:
    """Each label as a page shows it: the community's name and text in ``language`` where it
    translated them, else its own words, else Local Contexts' meaning; its page."""
    found = []
    for label in labels:
        name, text = label.text_in(language)
        kind = label.kind
        found.append(
            {
                "label": label,
                "name": name,
                "text": text or (str(kind.meaning) if kind else ""),
                "abbreviation": label.abbreviation,
                "page": label.page or (kind.url if kind else ""),
            }
        )
    return found


def public(labels: Iterable[Label]) -> list[Label]:
    """The labels anyone may see on a record: a restricting one is its community's to tell."""
    return [label for label in labels if not label.restricts]


def names(labels: Iterable[Label]) -> str:
    """The labels as one cell: ``TK Attribution (TK A); BC Provenance (BC P)``."""
    return "; ".join(label.name for label in labels)


def described(table: Table, applied: list[Applied]) -> dict[int, tuple[str, str]]:
    """For each application, what the record is called and where its page is (no link for an
    observation or a category: they have no page of their own)."""
    ids = defaultdict(set)
    for a in applied:
        ids[a.target].add(a.target_id)
    agreements = {
        a.public_id: a.title
        for a in Agreement.objects.filter(table=table, public_id__in=ids[Target.AGREEMENT])
    }
    documents = {
        d.public_id: d.title
        for d in Document.objects.filter(table=table, public_id__in=ids[Target.DOCUMENT])
    }
    kinds = dict(KIND_CHOICES)
    found: dict[int, tuple[str, str]] = {}
    for a in applied:
        if a.target == Target.AGREEMENT and a.target_id in agreements:
            url = reverse("agreement", args=[table.slug, a.target_id])
            found[a.pk] = (agreements[a.target_id], url)
        elif a.target == Target.DOCUMENT and a.target_id in documents:
            url = reverse("library-document", args=[table.slug, a.target_id])
            found[a.pk] = (documents[a.target_id], url)
        elif a.target == Target.CATEGORY:
            found[a.pk] = (str(kinds.get(a.target_id, a.target_id)), "")
        else:
            found[a.pk] = (a.target_id, "")
    return found


def visible_applied(table: Table, mine: set[int]) -> list[Applied]:
    """Where labels are applied, as a viewer speaking for the communities ``mine`` may see it:
    all of their own; of the others', never a restricting label, nor a record the public cannot
    see (its title or id are not theirs to read). Three queries, whatever the count."""
    applied = list(applied_of(table))
    others = [a for a in applied if a.label.community_id not in mine and not a.label.restricts]
    wanted: dict[str, set[str]] = defaultdict(set)
    for a in others:
        wanted[a.target].add(a.target_id)
    public: dict[str, set[str]] = {
        Target.DOCUMENT: set(
            Document.objects.filter(
                table=table,
                public_id__in=wanted[Target.DOCUMENT],
                sensitivity=Sensitivity.PUBLIC,
                label_floor=0,
            ).values_list("public_id", flat=True)
        ),
        Target.OBSERVATION: set(
            Observation.objects.filter(
                table=table,
                public_id__in=wanted[Target.OBSERVATION],
                sensitivity=Sensitivity.PUBLIC,
                label_floor=0,
            ).values_list("public_id", flat=True)
        ),
    }
    restricted_codes = set(
        CategoryLabel.objects.filter(table=table, restricts=True).values_list("owner_id", "code")
    )

    def shown(a: Applied) -> bool:
        if a.target in public:
            return a.target_id in public[a.target]
        if a.target == Target.CATEGORY:
            return (a.label.community_id, a.target_id) not in restricted_codes
        return True  # agreements are public; their areas follow their own sensitivity

    candidates = {a.pk for a in others}
    return [a for a in applied if a.label.community_id in mine or (a.pk in candidates and shown(a))]
