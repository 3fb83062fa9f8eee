"""A season of community patrols under the demo agreements: tracks and observations, as if
imported from KoboCollect."""

from __future__ import annotations

import datetime as dt
import math
import random

from django.utils import timezone

from minga.agreements.models import Agreement
from minga.core.access import SYSTEM
from minga.core.geo import parse_area
from minga.monitoring import formats
from minga.monitoring.services import import_field
from minga.tables.models import Table

KINDS = (
    ["wildlife"] * 8
    + ["boundary_mark"] * 4
    + ["hunting"] * 3
    + ["illegal_logging"] * 2
    + ["mining", "fire", "other"]
)


def load_patrols(table: Table, seed: int = 9) -> None:
    if table.slug != "morona-santiago":
        return
    rng = random.Random(seed)
    parsed = formats.Parsed("kobo-json")
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
            parsed.tracks.append(
                formats.Track(
                    "kobo-json", key, "v1", started, points, "Monitores comunitarios (demo)"
                )
            )
            for n in range(5):
                x, y = points[rng.randrange(len(points))]
                kind = rng.choice(KINDS)
                parsed.observations.append(
                    formats.Observation(
                        "kobo-json",
                        f"{key}/obs/{n + 1}",
                        "v1",
                        started + dt.timedelta(hours=n),
                        x,
                        y,
                        kind,
                        "Registro de patrullaje (demo)",
                        (),
                        "table",
                        key,
                    )
                )
        if agreement.area_sensitivity == 2:
            parsed.observations.append(
                formats.Observation(
                    "kobo-json",
                    f"uuid:demo-{agreement.public_id}-sacred",
                    "v1",
                    today - dt.timedelta(days=40),
                    round(cx, 5),
                    round(cy, 5),
                    "sacred_site",
                    "Cascada sagrada (demo)",
                    (),
                    "owner",
                    "",
                )
            )
    import_field(by=SYSTEM, table=table, parsed=parsed, filename="demo-kobo.json")
