"""Where each satellite product is published, and which of its 10° granules cover an area.

Pure: no Django, no network. ``fetch`` does the downloading and ``services`` the registering;
this module only names things. The layouts are those of ``../shared/FORMATS.md`` §1.1–1.4 and
``docs/formats.md``:

* Hansen/UMD Global Forest Change: ``<base><version>/Hansen_<version>_<layer>_<tile>.tif``,
  e.g. ``…/GFC-2024-v1.12/Hansen_GFC-2024-v1.12_lossyear_00N_080W.tif``, 0.00025° pixels.
* GFW's data lake (integrated alerts, GLAD-L): ``<base><tile>.tif``, the base naming dataset,
  version, grid and field (``…/raster/epsg-4326/10/40000/date_conf/gdal-geotiff/``); 10 m
  products are on the 100000 px grid (0.0001°), 30 m ones on the 40000 px grid (0.00025°).

Every granule is 10° × 10° and named after its north-west corner: ``00N_080W`` covers 80°W–70°W,
10°S–0°. A box is ``(west, south, east, north)`` in degrees of longitude and latitude.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

GRANULE_DEGREES = 10
# A pixel edge this close (in pixels) to a box edge counts as on it: float noise, not a pixel.
EDGE_TOLERANCE = 1e-6
HANSEN_VERSION = re.compile(r"^GFC-(?P<year>\d{4})-v\d+(\.\d+)*$")

type Box = tuple[float, float, float, float]


class PublisherError(ValueError):
    """A product, version or file that does not follow its publisher's layout."""


@dataclass(frozen=True, order=True)
class Granule:
    """One 10° granule, by its north-west corner in whole degrees."""

    north: int
    west: int

    @property
    def id(self) -> str:
        ns = "N" if self.north >= 0 else "S"
        ew = "E" if self.west >= 0 else "W"
        return f"{abs(self.north):02d}{ns}_{abs(self.west):03d}{ew}"

    @property
    def bounds(self) -> Box:
        return (
            float(self.west),
            float(self.north - GRANULE_DEGREES),
            float(self.west + GRANULE_DEGREES),
            float(self.north),
        )


def granules_for(box: Box) -> list[Granule]:
    """The granules a box overlaps with some area (a box edge on a granule edge takes only the
    granule inside), north to south, then west to east."""
    west, south, east, north = _checked(box)
    step = GRANULE_DEGREES
    # Granule north edges n overlap when n - 10 < north and n > south; west edges w when
    # w < east and w + 10 > west.
    first_north = math.floor(south / step) * step + step
    last_north = math.ceil(north / step) * step
    first_west = math.floor(west / step) * step
    last_west = math.ceil(east / step) * step - step
    return [
        Granule(n, w)
        for n in range(last_north, first_north - 1, -step)
        for w in range(first_west, last_west + 1, step)
        if -90 < n <= 90 and -180 <= w < 180
    ]


def granule_boxes(boxes: Iterable[Box]) -> dict[Granule, Box]:
    """For each granule that some box overlaps, the smallest box holding every part of the boxes
    inside it: what must be read from that granule. Zones far apart never make the granules
    between them count."""
    found: dict[Granule, Box] = {}
    for box in boxes:
        west, south, east, north = _checked(box)
        for granule in granules_for(box):
            gw, gs, ge, gn = granule.bounds
            part = (max(west, gw), max(south, gs), min(east, ge), min(north, gn))
            if granule in found:
                w, s, e, n = found[granule]
                part = (min(w, part[0]), min(s, part[1]), max(e, part[2]), max(n, part[3]))
            found[granule] = part
    return dict(sorted(found.items(), key=lambda item: (-item[0].north, item[0].west)))


@dataclass(frozen=True)
class Window:
    """Pixels of a raster: columns ``col``…``col + width``, rows ``row``…``row + height``."""

    col: int
    row: int
    width: int
    height: int


def pixel_window(
    box: Box, *, west: float, north: float, res: float, width: int, height: int
) -> Window | None:
    """The smallest whole-pixel window of a north-up raster (origin ``west``, ``north``, square
    pixels of ``res`` degrees, ``width`` × ``height``) that holds the part of ``box`` on it;
    ``None`` when the box misses the raster."""
    bw, bs, be, bn = _checked(box)
    col0 = math.floor((bw - west) / res + EDGE_TOLERANCE)
    col1 = math.ceil((be - west) / res - EDGE_TOLERANCE)
    row0 = math.floor((north - bn) / res + EDGE_TOLERANCE)
    row1 = math.ceil((north - bs) / res - EDGE_TOLERANCE)
    col0, col1 = max(col0, 0), min(col1, width)
    row0, row1 = max(row0, 0), min(row1, height)
    if col1 <= col0 or row1 <= row0:
        return None
    return Window(col0, row0, col1 - col0, row1 - row0)


def grid_problem(
    transform: tuple[float, float, float, float, float, float],
    *,
    width: int,
    height: int,
    granule: Granule,
    res: float,
) -> str | None:
    """Why a raster is not on the product's grid inside ``granule``, or ``None`` when it is.

    ``transform`` is GDAL's geotransform order as rasterio's ``Affine`` holds it:
    ``(a, b, c, d, e, f)`` = (pixel width, row rotation, west, column rotation, -pixel height,
    north). On the grid: north-up, square pixels of ``res`` degrees, pixel edges on the lines
    that start at the granule's north-west corner, and wholly inside the granule.
    """
    a, b, c, d, e, f = transform
    if b or d:
        return "the raster is rotated"
    if abs(a - res) > res * 1e-6 or abs(-e - res) > res * 1e-6:
        return f"pixels are {a:g}° × {-e:g}°, not {res:g}°"
    gw, gs, ge, gn = granule.bounds
    if not _on_grid((c - gw) / res) or not _on_grid((gn - f) / res):
        return f"pixel edges ({c:g}, {f:g}) are off the {res:g}° grid of granule {granule.id}"
    slack = res * EDGE_TOLERANCE
    if (
        c < gw - slack
        or f > gn + slack
        or c + width * a > ge + slack
        or f + height * e < gs - slack
    ):
        return f"the raster reaches outside granule {granule.id}"
    return None


def _on_grid(pixels: float) -> bool:
    return abs(pixels - round(pixels)) < 1e-4


def _checked(box: Box) -> Box:
    west, south, east, north = (float(v) for v in box)
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise PublisherError(f"box {box} is not finite")
    if east < west or north < south:
        raise PublisherError(f"box {box} is not (west, south, east, north)")
    return west, south, east, north


# --- products and their publishers -----------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """How one product is published: its grid and the name of each granule's file.

    ``layout`` is ``"hansen"`` (``<base><version>/Hansen_<version>_<layer>_<tile>.tif``) or
    ``"tiles"`` (``<base><tile>.tif``).
    """

    product: str
    publisher: str
    layout: str
    res: float
    layer: str = ""

    def file_name(self, granule: Granule, *, version: str = "") -> str:
        if self.layout == "hansen":
            return f"Hansen_{check_hansen_version(version)}_{self.layer}_{granule.id}.tif"
        return f"{granule.id}.tif"

    def url(self, granule: Granule, *, base: str, version: str = "") -> str:
        if not base:
            raise PublisherError(f"{self.product} has no base URL")
        base = base if base.endswith("/") else base + "/"
        if self.layout == "hansen":
            return (
                f"{base}{check_hansen_version(version)}/{self.file_name(granule, version=version)}"
            )
        return f"{base}{self.file_name(granule)}"

    def local_name(self, granule: Granule, *, version: str = "") -> str:
        """The file's name on this server: the publisher's, prefixed with the product when the
        publisher's name does not say it (GFW's tiles are plain ``00N_080W.tif``)."""
        name = self.file_name(granule, version=version)
        return name if self.layout == "hansen" else f"{self.product}_{name}"


HANSEN_RES = 0.00025  # 1 arc-second, the 40000 px grid
TEN_METRE_RES = 0.0001  # GFW's 100000 px grid

SOURCES: dict[str, Source] = {
    source.product: source
    for source in (
        Source("hansen_treecover2000", "hansen", "hansen", HANSEN_RES, "treecover2000"),
        Source("hansen_lossyear", "hansen", "hansen", HANSEN_RES, "lossyear"),
        Source("hansen_gain", "hansen", "hansen", HANSEN_RES, "gain"),
        Source("gfw_integrated_alerts", "gfw_integrated_alerts", "tiles", TEN_METRE_RES),
        Source("umd_glad_landsat_alerts", "umd_glad_landsat_alerts", "tiles", HANSEN_RES),
        Source("umd_glad_sentinel2_alerts", "umd_glad_sentinel2_alerts", "tiles", TEN_METRE_RES),
        Source("wur_radd_alerts", "wur_radd_alerts", "tiles", TEN_METRE_RES),
    )
}
# What a fetch brings when no product is named: what the analysis needs, and one alert product.
DEFAULT_PRODUCTS = ("hansen_treecover2000", "hansen_lossyear", "gfw_integrated_alerts")


def source_for(product: str) -> Source:
    try:
        return SOURCES[product]
    except KeyError:
        raise PublisherError(
            f"unknown product {product!r}; known: {', '.join(sorted(SOURCES))}"
        ) from None


def check_hansen_version(version: str) -> str:
    """``GFC-<year>-v<version>``, as the publisher names its folders (``GFC-2024-v1.12``)."""
    if not HANSEN_VERSION.match(version):
        raise PublisherError(f"Hansen version {version!r} is not like GFC-2024-v1.12")
    return version
