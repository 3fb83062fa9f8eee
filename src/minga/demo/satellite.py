"""Satellite layers for the demo territories, their analysis, a ground sample and a verification.

The layers are synthetic (``minga.satellite.synthetic``) but named and encoded exactly as the
Hansen granules and GFW's integrated alerts are, so a real tile dropped into the raster folder
goes through the same code. The ground labels are simulated: nine in ten agree with the map.
"""

from __future__ import annotations

import random

from django.conf import settings

from minga.core.access import SYSTEM
from minga.satellite import queries as satellite_queries
from minga.satellite import services as satellite
from minga.satellite.sampling import STRATA
from minga.satellite.synthetic import Landscape
from minga.tables.models import Table

RES = 0.00025


def load_satellite(table: Table, *, seed: int) -> None:
    territory = table.territories.order_by("pk").first()
    if territory is None:
        return
    west, south, east, north = territory.shape.bounds
    pad = 0.01
    land = Landscape(
        west=round(west - pad, 4),
        north=round(north + pad, 4),
        width=int((east - west + 2 * pad) / RES) + 1,
        height=int((north - south + 2 * pad) / RES) + 1,
        seed=seed,
        roads=4,
        rivers=3,
        fires=6,
    )
    root = settings.MINGA_RASTER_ROOT
    folder = root / "demo" / table.slug
    paths = land.write(folder)
    for path in paths.values():
        satellite.register_layer(by=SYSTEM, table=table, path=str(path.relative_to(root)))
    run = satellite.start_analysis(by=SYSTEM, table=table, background=False)
    satellite.run_analysis(run)
    zone = next(z for z in satellite_queries.zones_of(table) if z.territory == territory)
    design = satellite.create_sample_design(
        by=SYSTEM,
        table=table,
        zone=zone,
        start_year=2020,
        end_year=2024,
        per_stratum={"loss": 30, "forest": 40, "other": 30},
        seed=seed,
    )
    rng = random.Random(seed)
    pairs = []
    for point in design.points:
        label = point["stratum"]
        if rng.random() < 0.1:
            label = rng.choice([s for s in STRATA if s != label])
        pairs.append((point["id"], label))
    satellite.record_labels(by=SYSTEM, design=design, pairs=pairs, source="demo")
    spots = list(table.hotspots.order_by("rank")[:6])
    satellite.record_hotspot_checks(
        by=SYSTEM,
        table=table,
        pairs=[
            (h.public_id, "false_alarm" if i == 3 else "confirmed") for i, h in enumerate(spots)
        ],
    )
    satellite.issue_verification(
        by=SYSTEM, table=table, zone=zone, start_year=2020, end_year=2024, design=design
    )
