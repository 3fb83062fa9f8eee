"""Deterministic synthetic forest-change layers in the real products' encodings.

Pure: numpy and rasterio, no Django. The landscape: intact forest, roads and rivers with clearing
fronts that move away from them year by year, a few fires, and new alerts where the fronts go on
after the last loss year. The files are named and encoded as the real ones (Hansen granule names,
``lossyear`` 0..N, integrated alerts ``confidence × 10000 + days``), so real tiles drop in where
these were. Same arguments, same bytes: every block draws from its own seeded generator.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from minga.satellite.products import tile_id

BLOCK = 512
Feature = tuple[float, float, float, float]
KM_PER_DEG = 111.32


@dataclass(frozen=True)
class Landscape:
    west: float
    north: float
    width: int
    height: int
    res: float = 0.00025
    seed: int = 0
    release: int = 2024
    roads: int = 3
    rivers: int = 2
    fires: int = 4

    @property
    def east(self) -> float:
        return self.west + self.width * self.res

    @property
    def south(self) -> float:
        return self.north - self.height * self.res

    def _features(self) -> tuple[list[Feature], list[Feature], list[Feature]]:
        rng = np.random.default_rng(self.seed)
        span_x, span_y = self.east - self.west, self.north - self.south
        roads = [
            (
                self.south + span_y * rng.uniform(0.15, 0.85),
                span_y * rng.uniform(0.03, 0.12),
                rng.uniform(1.5, 4.0) * 2 * math.pi / span_x,
                rng.uniform(0, 2 * math.pi),
            )
            for _ in range(self.roads)
        ]
        rivers = [
            (
                self.west + span_x * rng.uniform(0.15, 0.85),
                span_x * rng.uniform(0.03, 0.1),
                rng.uniform(2.0, 5.0) * 2 * math.pi / span_y,
                rng.uniform(0, 2 * math.pi),
            )
            for _ in range(self.rivers)
        ]
        fires = [
            (
                self.west + span_x * rng.uniform(0.1, 0.9),
                self.north - span_y * rng.uniform(0.1, 0.9),
                min(span_x, span_y) * rng.uniform(0.01, 0.04),
                float(rng.integers(2005, self.release + 1)),
            )
            for _ in range(self.fires)
        ]
        return roads, rivers, fires

    def _distance_km(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        roads, rivers, _ = self._features()
        d = np.full((lat.size, lon.size), np.inf, dtype=np.float32)
        for y0, amp, k, ph in roads:
            line = y0 + amp * np.sin(k * (lon - self.west) + ph)
            np.minimum(d, np.abs(lat[:, None] - line[None, :]).astype(np.float32), out=d)
        for x0, amp, k, ph in rivers:
            line = x0 + amp * np.sin(k * (lat - self.south) + ph)
            np.minimum(d, np.abs(lon[None, :] - line[:, None]).astype(np.float32), out=d)
        return d * KM_PER_DEG

    def block(self, r0: int, r1: int) -> dict[str, np.ndarray]:
        """treecover2000, lossyear, gain and integrated alerts for rows ``r0``..``r1``."""
        rng = np.random.default_rng([self.seed, r0])
        lon = self.west + (np.arange(self.width) + 0.5) * self.res
        lat = self.north - (np.arange(r0, r1) + 0.5) * self.res
        d = self._distance_km(lon, lat)
        shape = d.shape
        noise = rng.random(shape, dtype=np.float32)
        tc = np.where(d < 0.25, noise * 25, 78 + noise * 22).astype(np.uint8)
        # the front: 0.25 km from the road in 2000, 0.1 km more each year, patchy
        reach = d * (0.85 + 0.3 * rng.random(shape, dtype=np.float32))
        years = np.floor((reach - 0.25) / 0.1).astype(np.int32) + 1
        lossy = ((years >= 1) & (years <= self.release - 2000) & (noise > 0.12)).astype(np.uint8)
        loss = (years * lossy).astype(np.uint8)
        _, _, fires = self._features()
        for fx, fy, radius, year in fires:
            burnt = ((lon[None, :] - fx) ** 2 + (lat[:, None] - fy) ** 2 < radius**2) & (
                noise < 0.8
            )
            loss[burnt & (loss == 0)] = int(year) - 2000
        gain = ((d < 0.25) & (noise < 0.02)).astype(np.uint8)
        # alerts after the last loss year, where the front goes on
        beyond = (years > self.release - 2000) & (years <= self.release - 2000 + 2)
        alert_hit = beyond & (noise > 0.4) & (tc >= 30)
        alerts = np.zeros(shape, np.uint16)
        if alert_hit.any():
            start = (dt.date(self.release + 1, 1, 1) - dt.date(2014, 12, 31)).days
            span = (years[alert_hit] - (self.release - 2000) - 1) * 365
            days = start + span + rng.integers(0, 300, size=span.size)
            conf = rng.choice([2, 3, 4], p=[0.5, 0.35, 0.15], size=span.size)
            alerts[alert_hit] = conf * 10000 + days
        return {"treecover2000": tc, "lossyear": loss, "gain": gain, "alerts": alerts}

    def filenames(self) -> dict[str, str]:
        tile = tile_id(self.north - 1e-9, self.west + 1e-9)
        gfc = f"Hansen_GFC-{self.release}-v1.{self.release - 2012}"
        return {
            "treecover2000": f"{gfc}_treecover2000_{tile}.tif",
            "lossyear": f"{gfc}_lossyear_{tile}.tif",
            "gain": f"{gfc}_gain_{tile}.tif",
            "alerts": f"gfw_integrated_alerts_{tile}.tif",
        }

    def write(
        self,
        directory: Path,
        *,
        layers: tuple[str, ...] = ("treecover2000", "lossyear", "gain", "alerts"),
        progress: Callable[[int, int], None] | None = None,
    ) -> dict[str, Path]:
        """Write tiled, deflate-compressed GeoTIFFs block by block (bounded memory)."""
        # Imported here: rasterio (GDAL) loads only for raster work.
        import rasterio

        # Imported here: rasterio (GDAL) loads only for raster work.
        from rasterio.transform import from_origin

        # Imported here: rasterio (GDAL) loads only for raster work.
        from rasterio.windows import Window

        directory.mkdir(parents=True, exist_ok=True)
        names = self.filenames()
        paths = {layer: directory / names[layer] for layer in layers}
        profile = {
            "driver": "GTiff",
            "width": self.width,
            "height": self.height,
            "count": 1,
            "crs": "EPSG:4326",
            "transform": from_origin(self.west, self.north, self.res, self.res),
            "tiled": True,
            "blockxsize": BLOCK,
            "blockysize": BLOCK,
            "compress": "deflate",
            "nodata": None,
        }
        outputs = {
            layer: rasterio.open(
                path, "w", dtype="uint16" if layer == "alerts" else "uint8", **profile
            )
            for layer, path in paths.items()
        }
        try:
            steps = math.ceil(self.height / BLOCK)
            for step, r0 in enumerate(range(0, self.height, BLOCK), 1):
                r1 = min(r0 + BLOCK, self.height)
                data = self.block(r0, r1)
                for layer, out in outputs.items():
                    out.write(data[layer], 1, window=Window(0, r0, self.width, r1 - r0))
                if progress:
                    progress(step, steps)
        finally:
            for out in outputs.values():
                out.close()
        return paths
