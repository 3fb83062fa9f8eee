"""The demo's Local Contexts labels: a community's Hub project kept here (marked demo: it is not
on the real Hub), labels adopted from Local Contexts' list, and where they are applied."""

from __future__ import annotations

from minga.agreements.models import Agreement
from minga.core.access import SYSTEM
from minga.demo import data as demo
from minga.labels import services as labels
from minga.labels.models import Label, Target
from minga.tables.models import Organization, Table

# The shape of the Hub's API answer (GET /api/v2/projects/<id>/), with the community's words.
HUB_PROJECT = {
    "unique_id": "demo0000-0000-4000-8000-tsapau000001",
    "title": "Conocimientos del territorio Shuar Tsapau (demo)",
    "project_page": "",
    "project_type": "Collection",
    "tk_labels": [
        {
            "unique_id": "demo0000-0000-4000-8000-tkattribution",
            "name": "TK Atribución (TK A)",
            "label_type": "attribution",
            "language_tag": "es",
            "language": "Spanish",
            "label_text": "Nombre a la Comunidad Shuar Tsapau y a sus monitores en cualquier uso de "
            "estos datos.",
            "translations": [
                {
                    "translated_name": "TK Atribuição (TK A)",
                    "language_tag": "pt",
                    "language": "Portuguese",
                    "translated_text": "Nomeie a Comunidade Shuar Tsapau e os seus monitores em "
                    "qualquer uso destes dados.",
                }
            ],
        },
        {
            "unique_id": "demo0000-0000-4000-8000-tksecretsacred",
            "name": "TK Secreto / Sagrado (TK SS)",
            "label_type": "secret_sacred",
            "language_tag": "es",
            "language": "Spanish",
            "label_text": "Los lugares sagrados del territorio son de la comunidad: solo quien ella "
            "autoriza puede conocerlos.",
            "translations": [],
        },
    ],
    "bc_labels": [
        {
            "unique_id": "demo0000-0000-4000-8000-bcprovenance",
            "name": "BC Procedencia (BC P)",
            "label_type": "provenance",
            "language_tag": "es",
            "language": "Spanish",
            "label_text": "Estos datos vienen del bosque del territorio Shuar Tsapau, que conserva el "
            "derecho a ser nombrado con ellos.",
            "translations": [],
        }
    ],
    "notice": [],
}


def _agreement(table: Table, community: Organization) -> Agreement:
    return Agreement.objects.get(table=table, community=community)


def load_labels(table: Table) -> None:
    if table.slug != "morona-santiago":
        return
    tsapau = Organization.objects.get(name=demo.COMMUNITY)
    labels.keep_hub_project(by=SYSTEM, table=table, community=tsapau, body=HUB_PROJECT)
    own = {label.label_type: label for label in Label.objects.filter(table=table, community=tsapau)}
    area = _agreement(table, tsapau).public_id
    for kind in ("attribution", "provenance"):
        labels.apply(by=SYSTEM, label=own[kind], target=Target.AGREEMENT, target_id=area)
    # every sacred site Tsapau's monitors record stays with Tsapau, whatever the form says
    labels.apply(
        by=SYSTEM, label=own["secret_sacred"], target=Target.CATEGORY, target_id="sacred_site"
    )
    # Kuamar keeps its area to itself; Wayusentsa's forest is not for sale
    for name, category, label_type in (
        ("Comunidad Achuar Kuamar", "tk", "community_use_only"),
        ("Comunidad Achuar Wayusentsa", "bc", "non_commercial"),
    ):
        community = Organization.objects.get(name=name)
        label = labels.adopt(
            by=SYSTEM, table=table, community=community, category=category, label_type=label_type
        )
        labels.apply(
            by=SYSTEM,
            label=label,
            target=Target.AGREEMENT,
            target_id=_agreement(table, community).public_id,
        )
