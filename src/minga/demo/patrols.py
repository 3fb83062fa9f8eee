"""A season of community patrols under the demo agreements: tracks and observations, as if
imported from KoboCollect."""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Any

from django.utils import timezone

from minga.agreements.models import Agreement
from minga.core.access import SYSTEM
from minga.core.geo import parse_area
from minga.monitoring import formats, mapping, services
from minga.tables.models import Table

KINDS = (
    ["wildlife"] * 8
    + ["boundary_mark"] * 4
    + ["hunting"] * 3
    + ["illegal_logging"] * 2
    + ["mining", "fire", "other"]
)


def _geopoint(x: float, y: float) -> str:
    return f"{y} {x} 0 5"  # ODK/Kobo geopoints: latitude first


def load_patrols(table: Table, seed: int = 9) -> None:
    """Submissions of minga's patrol form as KoboToolbox's API gives them, brought in through
    the same source, mapping and import as any field data."""
    if table.slug != "morona-santiago":
        return
    rng = random.Random(seed)
    results: list[dict[str, Any]] = []
    today = timezone.now()
    for agreement in Agreement.objects.filter(table=table).order_by("title"):
        if not agreement.geometry:
            continue
        area = parse_area(agreement.geometry)
        cx, cy = area.centroid.x, area.centroid.y
        radius = math.sqrt(area.area) / 3
        for month in range(6):
            key = f"uuid:demo-{agreement.public_id}-{month}"
            started = today - dt.timedelta(days=30 * (6 - month) + rng.randint(0, 5))
            points = []
            for step in range(12):
                angle = 2 * math.pi * step / 12
                points.append(
                    (
                        round(cx + radius * math.cos(angle) * rng.uniform(0.7, 1.0), 5),
                        round(cy + radius * math.sin(angle) * rng.uniform(0.7, 1.0), 5),
                    )
                )
            observations = []
            for n in range(5):
                x, y = points[rng.randrange(len(points))]
                observations.append(
                    {
                        "obs/location": _geopoint(x, y),
                        "obs/kind": rng.choice(KINDS),
                        "obs/notes": "Registro de patrullaje (demo)",
                        "obs/sensitivity": "table",
                        "obs/time": (started + dt.timedelta(hours=n)).isoformat(),
                    }
                )
            results.append(_submission(key, started, points, observations))
        if agreement.area_sensitivity == 2:
            moment = today - dt.timedelta(days=40)
            sacred = {
                "obs/location": _geopoint(round(cx, 5), round(cy, 5)),
                "obs/kind": "sacred_site",
                "obs/notes": "Cascada sagrada (demo)",
                "obs/sensitivity": "owner",
                "obs/time": moment.isoformat(),
            }
            results.append(
                _submission(f"uuid:demo-{agreement.public_id}-sacred", moment, [], [sacred])
            )
    export = formats.kobo_records(results)
    source = services.source_for(by=SYSTEM, table=table, export=export, filename="demo-kobo.json")
    source = services.confirm_mapping(
        by=SYSTEM,
        source=source,
        chosen=mapping.propose(export),
        name="Patrullaje comunitario (KoboToolbox, demo)",
    )
    services.import_field(
        by=SYSTEM, table=table, export=export, source=source, filename="demo-kobo.json"
    )


def _submission(
    key: str, started: dt.datetime, points: list[tuple[float, float]], observations: list[Any]
) -> dict[str, Any]:
    return {
        "_xform_id_string": "minga_patrol_demo",
        "meta/instanceID": key,
        "meta/rootUuid": key,
        "start": started.isoformat(),
        "_submission_time": started.astimezone(dt.UTC).replace(tzinfo=None).isoformat(),
        "patrol/monitors": "Monitores comunitarios (demo)",
        "patrol/track": ";".join(_geopoint(x, y) for x, y in points),
        "obs": observations,
    }
