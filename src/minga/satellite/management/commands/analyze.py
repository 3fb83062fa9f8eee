"""`minga analyze zonal …`: forest and loss per zone from Hansen-encoded layers, as JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from minga.core.cli import progress_bar
from minga.satellite import zonal


class Command(BaseCommand):
    help = (
        "Zonal statistics: minga analyze zonal --treecover T.tif --lossyear L.tif "
        "--zones Z.geojson [--threshold 30] [--id-field id]"
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        z = sub.add_parser("zonal", help="forest area and loss per year for every zone")
        z.add_argument("--treecover", required=True, help="Hansen treecover2000 GeoTIFF")
        z.add_argument("--lossyear", required=True, help="Hansen lossyear GeoTIFF")
        z.add_argument("--zones", required=True, help="GeoJSON FeatureCollection of polygons")
        z.add_argument(
            "--threshold", type=float, default=30, help="canopy %% that counts as forest"
        )
        z.add_argument("--id-field", default="id", help="the property that names a zone")
        z.add_argument("--workers", type=int, help="processes (default: every core)")
        z.add_argument("--scheduler", help="a Dask scheduler address, e.g. tcp://10.0.0.5:8786")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = self.zonal(options)
        except (zonal.ZonalError, OSError) as exc:
            raise CommandError(str(exc), returncode=2) from None
        self.stdout.write(json.dumps(result, ensure_ascii=False))

    def zonal(self, options: dict[str, Any]) -> dict[str, Any]:
        # Imported here: rasterio (GDAL) loads only for raster work.
        import rasterio

        threshold = options["threshold"]
        if not 0 <= threshold <= 100:
            raise zonal.ZonalError(f"--threshold {threshold:g} is outside 0..100")
        for flag in ("treecover", "lossyear", "zones"):
            if not Path(options[flag]).is_file():
                raise zonal.ZonalError(f"--{flag} {options[flag]}: no such file")
        try:
            with rasterio.open(options["treecover"]) as ds:
                crs = ds.crs.to_string() if ds.crs else None
        except rasterio.errors.RasterioIOError as exc:
            raise zonal.ZonalError(
                f"{options['treecover']}: not a readable raster ({exc})"
            ) from None
        zones = zonal.read_zones(
            Path(options["zones"]).read_bytes(), id_field=options["id_field"], crs=crs
        )
        rows = zonal.forest_loss(
            options["treecover"],
            options["lossyear"],
            zones,
            threshold=threshold,
            workers=options["workers"],
            scheduler=options["scheduler"],
            progress=progress_bar(self.stderr),
        )
        return {"zones": rows}
