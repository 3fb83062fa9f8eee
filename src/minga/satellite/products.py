"""Satellite forest-change products: how each one encodes its pixels, behind one interface.

Pure: numpy only, no Django. A product is a :class:`Decoder` registered under its name; a new
product (DIST-ALERT, a national system) is one more subclass and one ``register`` call.
``docs/formats.md`` lists the encodings and ``../shared/FORMATS.md`` where each was read.

Every decoder turns raw pixel values into one of two shapes:

* a *coverage* layer (``kind = "percent"``, ``"year"`` or ``"flag"``), or
* an *alert* layer (``kind = "alert"``): :meth:`Decoder.alerts` gives the day number (days since
  1970-01-01, ``0`` = no alert) and a confidence in :data:`CONFIDENCES` order (1 = low, 2 = high,
  3 = highest, 0 = none).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

EPOCH = dt.date(1970, 1, 1)
CONFIDENCES = ("low", "high", "highest")

# Hansen/UMD granules: Hansen_GFC-2024-v1.12_lossyear_00N_080W.tif (named after the NW corner).
HANSEN_NAME = re.compile(
    r"Hansen_GFC-(?P<year>\d{4})-v(?P<version>[\d.]+)_(?P<layer>[a-z0-9_]+?)_"
    r"(?P<lat>\d{2})(?P<ns>[NS])_(?P<lon>\d{3})(?P<ew>[EW])\.tif$",
    re.IGNORECASE,
)
# GFW data-lake tiles: <dataset>/.../<field>/gdal-geotiff/00N_080W.tif
GFW_TILE = re.compile(r"(?P<lat>\d{2})(?P<ns>[NS])_(?P<lon>\d{3})(?P<ew>[EW])\.tif$", re.IGNORECASE)


class ProductError(ValueError):
    """A file or value does not follow the product's encoding."""


@dataclass(frozen=True)
class TileName:
    product: str
    layer: str
    release_year: int | None
    version: str
    north: int  # degrees, top edge
    west: int  # degrees, left edge


def parse_tile_name(name: str) -> TileName | None:
    """Read a Hansen or GFW tile name; ``None`` when the name follows neither scheme."""
    base = name.rsplit("/", 1)[-1]
    match = HANSEN_NAME.search(base)
    if match:
        lat = int(match["lat"]) * (1 if match["ns"].upper() == "N" else -1)
        lon = int(match["lon"]) * (1 if match["ew"].upper() == "E" else -1)
        return TileName(
            product="hansen",
            layer=match["layer"].lower(),
            release_year=int(match["year"]),
            version=match["version"],
            north=lat,
            west=lon,
        )
    match = GFW_TILE.search(base)
    if match:
        lat = int(match["lat"]) * (1 if match["ns"].upper() == "N" else -1)
        lon = int(match["lon"]) * (1 if match["ew"].upper() == "E" else -1)
        return TileName("gfw", "", None, "", lat, lon)
    return None


def tile_id(lat: float, lon: float) -> str:
    """The 10° tile holding a point, named as GFW names it (``row = ceil(lat/10)*10``)."""
    row = int(np.ceil(lat / 10.0) * 10)
    col = int(np.floor(lon / 10.0) * 10)
    return f"{abs(row):02d}{'N' if row >= 0 else 'S'}_{abs(col):03d}{'E' if col >= 0 else 'W'}"


def _days(base: dt.date) -> int:
    return (base - EPOCH).days


class Decoder:
    """One product's encoding. Subclasses set the class attributes and override a method."""

    name: ClassVar[str]
    label: ClassVar[str]
    kind: ClassVar[str]  # percent | year | flag | alert
    resolution_m: ClassVar[int] = 30
    bands: ClassVar[int] = 1  # multi-band products get an array shaped (bands, rows, cols)
    dtype: ClassVar[str] = "uint8"
    max_value: ClassVar[int] = 255

    def check(self, values: np.ndarray) -> None:
        """Raise :class:`ProductError` if ``values`` hold a value outside the encoding."""
        if self.bands == 1 and values.size and int(values.max()) > self.max_value:
            raise ProductError(
                f"{self.name}: value {int(values.max())} is outside 0..{self.max_value}"
            )

    def year(self, values: np.ndarray) -> np.ndarray:
        raise ProductError(f"{self.name} is not a yearly layer")

    def alerts(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        raise ProductError(f"{self.name} is not an alert layer")


class TreeCover2000(Decoder):
    name = "hansen_treecover2000"
    label = "Hansen tree cover 2000 (%)"
    kind = "percent"
    max_value = 100


class LossYear(Decoder):
    """0 = no loss, N = loss detected primarily in 2000 + N."""

    name = "hansen_lossyear"
    label = "Hansen tree cover loss year"
    kind = "year"
    max_value = 99

    def year(self, values: np.ndarray) -> np.ndarray:
        years = values.astype(np.int32) + 2000
        years[values == 0] = 0
        return years


class Gain(Decoder):
    """Forest gain 2000–2012, never updated since."""

    name = "hansen_gain"
    label = "Hansen tree cover gain 2000–2012"
    kind = "flag"
    max_value = 1


class IntegratedAlerts(Decoder):
    """GFW integrated alerts: ``confidence * 10000 + days since 2014-12-31``; 2 low, 3 high, 4 highest."""

    name = "gfw_integrated_alerts"
    label = "GFW integrated deforestation alerts"
    kind = "alert"
    resolution_m = 10
    dtype = "uint16"
    max_value = 49999
    base = _days(dt.date(2014, 12, 31))

    def check(self, values: np.ndarray) -> None:
        super().check(values)
        nonzero = values[values != 0]
        if nonzero.size:
            conf = nonzero // 10000
            if int(conf.min()) < 2 or int(conf.max()) > 4:
                raise ProductError(f"{self.name}: confidence digit outside 2..4")

    def alerts(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        v = values.astype(np.int64)
        conf, days = np.divmod(v, 10000)
        day = np.where(v > 0, self.base + days, 0)
        return day, np.where(v > 0, np.clip(conf - 1, 0, 3), 0)


class DateConf(Decoder):
    """GFW's data-lake encoding of one system's alerts: ``conf * 10000 + days since 2014-12-31``,
    conf 2 = low (probable), 3 = high (confirmed); 0 = no alert."""

    kind = "alert"
    dtype = "uint16"
    max_value = 39999
    base = _days(dt.date(2014, 12, 31))

    def check(self, values: np.ndarray) -> None:
        super().check(values)
        nonzero = values[values != 0]
        if nonzero.size:
            conf = nonzero // 10000
            if int(conf.min()) < 2 or int(conf.max()) > 3:
                raise ProductError(f"{self.name}: confidence digit outside 2..3")

    def alerts(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        v = values.astype(np.int64)
        conf, days = np.divmod(v, 10000)
        day = np.where(v > 0, self.base + days, 0)
        return day, np.where(v > 0, np.where(conf >= 3, 2, 1), 0)


class GladLandsat(DateConf):
    """GLAD-L as GFW publishes it (30 m, the 10/40000 grid); 2 probable, 3 confirmed."""

    name = "umd_glad_landsat_alerts"
    label = "GLAD-L (Landsat) alerts"


class GladSentinel2(DateConf):
    """GLAD-S2 as GFW publishes it (10 m, the 10/100000 grid). GFW packs UMD's two bands (``alert``
    level 1–4, ``alertDate`` days since 2018-12-31) as ``20000 + 10000 * (level > 1) + days +
    1461``: level 1 low, 2–4 high."""

    name = "umd_glad_sentinel2_alerts"
    label = "GLAD-S2 (Sentinel-2) alerts"
    resolution_m = 10


class Radd(DateConf):
    """RADD as GFW publishes it (10 m, the 10/100000 grid): Wageningen's own tiles already hold
    ``conf * 10000 + days since 2014-12-31`` (2 low, 3 high)."""

    name = "wur_radd_alerts"
    label = "RADD (Sentinel-1) alerts"
    resolution_m = 10


DECODERS: dict[str, Decoder] = {}


def register(decoder: Decoder) -> Decoder:
    DECODERS[decoder.name] = decoder
    return decoder


for _cls in (TreeCover2000, LossYear, Gain, IntegratedAlerts, GladLandsat, GladSentinel2, Radd):
    register(_cls())

HANSEN_LAYERS = {
    "treecover2000": "hansen_treecover2000",
    "lossyear": "hansen_lossyear",
    "gain": "hansen_gain",
}


def decoder_for(name: str) -> Decoder:
    try:
        return DECODERS[name]
    except KeyError:
        raise ProductError(
            f"unknown product {name!r}; known: {', '.join(sorted(DECODERS))}"
        ) from None


def guess_product(filename: str) -> str | None:
    """The product a file name announces (Hansen granules and the alert products' usual names)."""
    tile = parse_tile_name(filename)
    if tile and tile.product == "hansen":
        return HANSEN_LAYERS.get(tile.layer)
    lowered = filename.lower()
    for key, product in (
        ("integrated", "gfw_integrated_alerts"),
        ("radd", "wur_radd_alerts"),
        ("s2alert", "umd_glad_sentinel2_alerts"),
        ("sentinel2", "umd_glad_sentinel2_alerts"),
        ("glad_s2", "umd_glad_sentinel2_alerts"),
        ("glad", "umd_glad_landsat_alerts"),
    ):
        if key in lowered:
            return product
    return None


def day_to_date(day: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(day))


def encode_integrated(date: dt.date, confidence: str) -> int:
    """The integrated-alerts value for a date and confidence (used by the synthetic generator)."""
    conf = {"low": 2, "high": 3, "highest": 4}[confidence]
    return conf * 10000 + (date - dt.date(2014, 12, 31)).days
