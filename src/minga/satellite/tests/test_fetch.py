"""Satellite layers from their publishers: `minga fetch-layers` and the satellite page's button,
against an HTTP server on 127.0.0.1 that serves tiled GeoTIFFs under the publishers' names, with
and without range support."""

import datetime as dt
import email.utils
import hashlib
import io
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlparse

import numpy as np
import pytest
import rasterio
from django.core.management import CommandError, call_command
from django.utils import translation
from django_tasks_db.models import DBTaskResult
from hypothesis import given
from hypothesis import strategies as st
from rasterio.transform import from_origin

from minga.core.access import SYSTEM
from minga.core.models import Event, RunStatus
from minga.satellite import fetch as fetching
from minga.satellite import publishers, tasks
from minga.satellite import services as satellite
from minga.satellite.models import LayerFetch, RasterLayer, ZoneStatistic
from minga.satellite.products import decoder_for
from minga.satellite.publishers import Granule
from minga.tables import services as tables
from minga.tables.models import Region

HANSEN = "GFC-2024-v1.12"
LOSSYEAR = f"hansen/{HANSEN}/Hansen_{HANSEN}_lossyear_00N_080W.tif"
TREECOVER = f"hansen/{HANSEN}/Hansen_{HANSEN}_treecover2000_00N_080W.tif"
ALERTS = "gfw/00N_080W.tif"
# The test granules: a corner of 00N_080W on the product's grid (the real ones are 10° wide).
WEST, NORTH = -77.5, -1.95
# The zone: 0.01° × 0.01°, i.e. columns 120–160 and rows 160–200 at 0.00025°.
ZONE = (-77.47, -2.0, -77.46, -1.99)


# --- a publisher on 127.0.0.1 ----------------------------------------------------------------

RANGE = re.compile(r"^bytes=(\d+)-(\d*)$")


class Publisher(ThreadingHTTPServer):
    """Serves the files under ``root`` (with ``ranges``: honours ``Range``; without: answers 200
    with the whole body, like a server that ignores it) and counts the body bytes it sends."""

    daemon_threads = True

    def __init__(self, root: Path, *, ranges: bool) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.root, self.ranges = root, ranges
        self.requests: list[
            tuple[str, str, str, int, int]
        ] = []  # method, path, range, status, sent
        self.drop_after: dict[str, int] = {}  # path -> bytes sent before hanging up, once
        self.lock = threading.Lock()
        # Handlers still answering: a client may read the whole body before its handler has
        # written down what it sent, so readers of ``requests`` wait for them.
        self.busy = 0
        self.settled = threading.Condition(self.lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}/"

    def answered(self) -> list[tuple[str, str, str, int, int]]:
        with self.settled:
            assert self.settled.wait_for(lambda: self.busy == 0, timeout=30), "a handler hangs"
            return list(self.requests)

    def forget(self) -> None:
        self.answered()
        with self.lock:
            self.requests.clear()

    def sent(self, path: str) -> int:
        return sum(r[4] for r in self.answered() if r[1] == path)

    def gets(self, path: str) -> list[tuple[str, str, str, int, int]]:
        return [r for r in self.answered() if r[0] == "GET" and r[1] == path]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Publisher

    def log_message(self, *args):
        pass

    def do_HEAD(self):
        self._serve(head=True)

    def do_GET(self):
        self._serve(head=False)

    def _serve(self, *, head):
        with self.server.settled:
            self.server.busy += 1
        try:
            self._answer(head=head)
        finally:
            with self.server.settled:
                self.server.busy -= 1
                self.server.settled.notify_all()

    def _answer(self, *, head):
        server = self.server
        path = unquote(urlparse(self.path).path).lstrip("/")
        asked = self.headers.get("Range", "")
        file = server.root / path
        if path in getattr(server, "forbidden", ()):  # a requester-pays bucket, asked anonymously
            self.send_response(403)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if not file.is_file():
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.send_header("Connection", "close")
            self.close_connection = True
            self.end_headers()
            with server.lock:
                server.requests.append((self.command, path, asked, 404, 0))
            return
        data = file.read_bytes()
        start, end, status = 0, len(data) - 1, 200
        found = RANGE.match(asked)
        if server.ranges and found:
            start = int(found[1])
            end = min(int(found[2]) if found[2] else len(data) - 1, len(data) - 1)
            status = 206
        body = data[start : end + 1]
        self.send_response(status)
        self.send_header("Content-Type", "image/tiff")
        self.send_header("Content-Length", str(len(body)))
        # One request per connection: no handler thread outlives the test on a kept-alive one.
        self.send_header("Connection", "close")
        self.close_connection = True
        self.send_header("ETag", f'"{hashlib.sha256(data).hexdigest()[:16]}"')
        self.send_header("Last-Modified", email.utils.formatdate(file.stat().st_mtime, usegmt=True))
        if server.ranges:
            self.send_header("Accept-Ranges", "bytes")
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
        self.end_headers()
        sent = 0
        if not head:
            with server.lock:
                drop = server.drop_after.pop(path, None)
            try:
                if drop is not None:  # hang up halfway
                    self.wfile.write(body[:drop])
                    sent = drop
                else:
                    self.wfile.write(body)
                    sent = len(body)
            except OSError:
                pass
        with server.lock:
            server.requests.append((self.command, path, asked, status, sent))


@pytest.fixture
def serve(tmp_path, settings):
    """serve(ranges=True) starts a publisher and points the settings at it."""
    started = []

    def start(*, ranges: bool) -> Publisher:
        root = tmp_path / f"publisher-{len(started)}"
        root.mkdir()
        server = Publisher(root, ranges=ranges)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
        settings.MINGA_HANSEN_URL = f"{server.url}hansen/"
        settings.MINGA_HANSEN_VERSION = HANSEN
        settings.MINGA_INTEGRATED_ALERTS_URL = f"{server.url}gfw/"
        return server

    settings.MINGA_RASTER_ROOT = tmp_path / "rasters"
    settings.DATA_DIR = tmp_path / "data"
    yield start
    for server in started:
        server.shutdown()
        server.server_close()


def publish(
    server: Publisher, path: str, array: np.ndarray, *, res=0.00025, crs="EPSG:4326", north=NORTH
):
    """A tiled GeoTIFF at ``path`` on the server, its north-west corner at (WEST, ``north``)."""
    target = server.root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    with rasterio.open(
        target,
        "w",
        driver="GTiff",
        width=array.shape[1],
        height=array.shape[0],
        count=1,
        dtype=array.dtype,
        crs=crs,
        transform=from_origin(WEST, north, res, res),
        tiled=True,
        blockxsize=256,
        blockysize=256,
    ) as out:
        out.write(array, 1)
    return target


def lossyear(seed=1):
    return np.random.default_rng(seed).integers(0, 25, (800, 800), dtype=np.uint8)


def treecover(seed=2):
    return np.random.default_rng(seed).integers(0, 101, (800, 800), dtype=np.uint8)


def alerts(seed=3):
    rng = np.random.default_rng(seed)
    days = rng.integers(3000, 4000, (800, 800))
    conf = rng.choice([0, 2, 3, 4], (800, 800), p=[0.9, 0.04, 0.03, 0.03])
    return np.where(conf > 0, conf * 10000 + days, 0).astype(np.uint16)


@pytest.fixture
def table(db):
    """A table with one small territory inside the test granules."""
    made = tables.create_table(
        by=SYSTEM,
        region=Region.objects.get(slug="amazonia-ecuatoriana"),
        name="Mesa de prueba",
        slug="mesa-prueba",
    )
    w, s, e, n = ZONE
    tables.set_territory(
        by=SYSTEM,
        table=made,
        name="Territorio de prueba",
        geometry={"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]},
    )
    return made


def fetch(table, *products, whole=False):
    """Fetch as the command does (in English: the tests read the reasons)."""
    with translation.override("en"):
        started = satellite.start_layer_fetch(
            by=SYSTEM, table=table, products=products, whole=whole, background=False
        )
        return satellite.run_layer_fetch(started)


def pixels(layer):
    with rasterio.open(layer.path) as ds:
        return ds.read(1), ds.transform


# --- the pure part ---------------------------------------------------------------------------


def test_it_names_granules_and_urls_as_the_publishers_do():
    assert [g.id for g in publishers.granules_for((-77.5, -2.2, -77.3, -1.9))] == ["00N_080W"]
    assert [g.id for g in publishers.granules_for((-80.5, -0.5, -79.5, 0.5))] == [
        "10N_090W",
        "10N_080W",
        "00N_090W",
        "00N_080W",
    ]
    # a box on the granule's edges takes that granule only
    assert [g.id for g in publishers.granules_for((-80, -10, -70, 0))] == ["00N_080W"]
    assert Granule(0, -80).bounds == (-80.0, -10.0, -70.0, 0.0)
    assert Granule(-10, 10).id == "10S_010E"
    hansen = publishers.SOURCES["hansen_lossyear"].url(
        Granule(0, -80),
        base="https://storage.googleapis.com/earthenginepartners-hansen/",
        version=HANSEN,
    )
    assert hansen == (
        "https://storage.googleapis.com/earthenginepartners-hansen/GFC-2024-v1.12/"
        "Hansen_GFC-2024-v1.12_lossyear_00N_080W.tif"
    )
    lake = publishers.SOURCES["gfw_integrated_alerts"].url(
        Granule(10, -60), base="https://lake/gfw_integrated_alerts/v1/date_conf/geotiff"
    )
    assert lake == "https://lake/gfw_integrated_alerts/v1/date_conf/geotiff/10N_060W.tif"
    assert (
        publishers.SOURCES["gfw_integrated_alerts"].local_name(Granule(10, -60))
        == "gfw_integrated_alerts_10N_060W.tif"
    )
    with pytest.raises(publishers.PublisherError, match=r"GFC-2024-v1\.12"):
        publishers.SOURCES["hansen_lossyear"].url(
            Granule(0, -80), base="https://x/", version="2024"
        )
    # zones far apart never bring the granules between them
    far = publishers.granule_boxes([(-77.5, -2.1, -77.4, -2.0), (-65.5, -12.1, -65.4, -12.0)])
    assert [g.id for g in far] == ["00N_080W", "10S_070W"]


def test_it_finds_the_window_and_checks_the_grid():
    window = publishers.pixel_window(
        ZONE, west=WEST, north=NORTH, res=0.00025, width=800, height=800
    )
    assert window == publishers.Window(col=120, row=160, width=40, height=40)
    assert (
        publishers.pixel_window(
            (-70, 5, -69, 6), west=WEST, north=NORTH, res=0.00025, width=8, height=8
        )
        is None
    )
    granule = Granule(0, -80)
    on_grid = (0.00025, 0.0, WEST, 0.0, -0.00025, NORTH)
    assert (
        publishers.grid_problem(on_grid, width=800, height=800, granule=granule, res=0.00025)
        is None
    )
    coarse = (0.0003, 0.0, WEST, 0.0, -0.0003, NORTH)
    assert "not 0.00025" in publishers.grid_problem(
        coarse, width=8, height=8, granule=granule, res=0.00025
    )
    shifted = (0.00025, 0.0, WEST + 0.0001, 0.0, -0.00025, NORTH)
    assert "off the" in publishers.grid_problem(
        shifted, width=8, height=8, granule=granule, res=0.00025
    )
    outside = (0.00025, 0.0, -70.001, 0.0, -0.00025, NORTH)
    assert "outside" in publishers.grid_problem(
        outside, width=80, height=8, granule=granule, res=0.00025
    )


boxes = st.tuples(
    st.floats(-179, 170), st.floats(-59, 70), st.floats(0.001, 25), st.floats(0.001, 25)
).map(lambda t: (t[0], t[1], min(t[0] + t[2], 180.0), min(t[1] + t[3], 80.0)))


@given(boxes)
def test_the_granule_parts_of_a_box_tile_it_exactly(box):
    parts = publishers.granule_boxes([box])
    w, s, e, n = box
    area = sum((pe - pw) * (pn - ps) for pw, ps, pe, pn in parts.values())
    assert area == pytest.approx((e - w) * (n - s), rel=1e-9, abs=1e-12)
    for granule, (pw, ps, pe, pn) in parts.items():
        gw, gs, ge, gn = granule.bounds
        assert gw <= pw < pe <= ge and gs <= ps < pn <= gn


@given(st.integers(0, 700), st.integers(0, 700), st.floats(0.0001, 0.02), st.floats(0.0001, 0.02))
def test_the_window_holds_the_box_and_not_a_pixel_more(col, row, width, height):
    res = 0.00025
    box = (
        WEST + col * res + 1e-7,
        NORTH - row * res - height,
        WEST + col * res + width,
        NORTH - row * res - 1e-7,
    )
    window = publishers.pixel_window(box, west=WEST, north=NORTH, res=res, width=800, height=800)
    left, top = WEST + window.col * res, NORTH - window.row * res
    right, bottom = left + window.width * res, top - window.height * res
    assert left <= box[0] and top >= box[3]
    assert (
        right >= min(box[2], WEST + 800 * res) - 1e-9
        and bottom <= max(box[1], NORTH - 800 * res) + 1e-9
    )
    assert box[0] - left < res and top - box[3] < res
    assert right - box[2] < res and box[1] - bottom < res


# --- fetching --------------------------------------------------------------------------------


def test_with_ranges_only_the_window_is_read_and_the_analysis_runs_on_it(serve, table):
    server = serve(ranges=True)
    loss, cover, alert = lossyear(), treecover(), alerts()
    sizes = {
        LOSSYEAR: publish(server, LOSSYEAR, loss).stat().st_size,
        TREECOVER: publish(server, TREECOVER, cover).stat().st_size,
        ALERTS: publish(server, ALERTS, alert, res=0.0001).stat().st_size,
    }
    done = fetch(table, "hansen_treecover2000", "hansen_lossyear", "gfw_integrated_alerts")
    assert done.status == RunStatus.DONE, done.error
    assert done.percent == 100
    for path, size in sizes.items():
        assert 0 < server.sent(path) < size / 4, path  # the window's tiles, not the granule
        assert all(r[2] for r in server.gets(path)), "every GET asked for a range"
    layers = {layer.product: layer for layer in RasterLayer.objects.filter(table=table)}
    data, transform = pixels(layers["hansen_lossyear"])
    assert np.array_equal(data, loss[160:200, 120:160])
    assert (transform.c, transform.f) == pytest.approx((-77.47, -1.99))
    assert np.array_equal(pixels(layers["hansen_treecover2000"])[0], cover[160:200, 120:160])
    # the 10 m alerts, on their own 0.0001° grid: columns 300–400, rows 400–500
    assert np.array_equal(pixels(layers["gfw_integrated_alerts"])[0], alert[400:500, 300:400])
    assert layers["hansen_lossyear"].release_year == 2024
    assert Path(layers["hansen_lossyear"].path).name == f"Hansen_{HANSEN}_lossyear_00N_080W.tif"
    assert "window of 40 × 40 px" in done.results["hansen_lossyear"]["detail"]
    # the analysis uses what was fetched
    run = satellite.start_analysis(by=SYSTEM, table=table, background=False)
    run = satellite.run_analysis(run)
    assert run.status == RunStatus.DONE, run.error
    assert ZoneStatistic.objects.filter(run=run, metric="loss").exists()
    # again: the publisher is asked whether the files changed, and nothing else
    server.forget()
    again = fetch(table, "hansen_treecover2000", "hansen_lossyear", "gfw_integrated_alerts")
    assert again.status == RunStatus.DONE
    assert {r[0] for r in server.answered()} == {"HEAD"}
    assert {r["status"] for r in again.results.values()} == {"kept"}
    assert RasterLayer.objects.filter(table=table).count() == 3


def test_glad_s2_and_radd_come_from_the_data_lakes_layout(serve, table, settings):
    """The defaults name GFW's data lake; the test publisher serves the same paths."""
    server = serve(ranges=True)
    lake = "raster/epsg-4326/10/100000/date_conf/geotiff"
    published = {}
    for seed, product, setting in (
        (5, "umd_glad_sentinel2_alerts", "MINGA_GLAD_S2_URL"),
        (6, "wur_radd_alerts", "MINGA_RADD_URL"),
    ):
        default = getattr(settings, setting)
        assert default.endswith(f"/{product}/latest/{lake}/"), default
        setattr(settings, setting, f"{server.url}{product}/latest/{lake}/")
        rng = np.random.default_rng(seed)
        days = rng.integers(1800, 4000, (800, 800))
        conf = rng.choice([0, 2, 3], (800, 800), p=[0.9, 0.05, 0.05])
        published[product] = np.where(conf > 0, conf * 10000 + days, 0).astype(np.uint16)
        publish(server, f"{product}/latest/{lake}/00N_080W.tif", published[product], res=0.0001)
    done = fetch(table, "umd_glad_sentinel2_alerts", "wur_radd_alerts")
    assert done.status == RunStatus.DONE, done.error
    layers = {layer.product: layer for layer in RasterLayer.objects.filter(table=table)}
    for product, array in published.items():
        assert np.array_equal(pixels(layers[product])[0], array[400:500, 300:400]), product
        assert Path(layers[product].path).name == f"{product}_00N_080W.tif"
        day, conf = decoder_for(product).alerts(pixels(layers[product])[0])
        window = array[400:500, 300:400]
        assert int((conf == 2).sum()) == int(np.count_nonzero(window >= 30000)), product
        assert int(day[window > 0].min()) >= (dt.date(2014, 12, 31) - dt.date(1970, 1, 1)).days


def test_without_ranges_the_whole_granule_comes_once(serve, table):
    server = serve(ranges=False)
    loss = lossyear()
    size = publish(server, LOSSYEAR, loss).stat().st_size
    done = fetch(table, "hansen_lossyear")
    assert done.status == RunStatus.DONE, done.error
    # the answer to the small ranged probe was the whole file: it is the download
    assert [(r[3], r[4]) for r in server.gets(LOSSYEAR)] == [(200, size)]
    layer = RasterLayer.objects.get(table=table, product="hansen_lossyear")
    assert np.array_equal(pixels(layer)[0], loss[160:200, 120:160])
    kept = Path(satellite.raster_root()) / "fetched" / "granules" / "hansen_lossyear"
    assert (kept / f"Hansen_{HANSEN}_lossyear_00N_080W.tif").stat().st_size == size
    assert "whole granule downloaded" in done.results["hansen_lossyear"]["detail"]
    # run again: nothing is fetched again, nothing registered twice
    again = fetch(table, "hansen_lossyear")
    assert again.status == RunStatus.DONE
    assert len(server.gets(LOSSYEAR)) == 1 and server.sent(LOSSYEAR) == size
    assert RasterLayer.objects.filter(table=table).count() == 1
    # a zone that grows needs another window: cut from the granule kept, still no download
    w, s, _e, n = ZONE
    tables.set_territory(
        by=SYSTEM,
        table=table,
        name="Otro territorio",
        geometry={
            "type": "Polygon",
            "coordinates": [[[w - 0.01, s], [w, s], [w, n], [w - 0.01, n], [w - 0.01, s]]],
        },
    )
    wider = fetch(table, "hansen_lossyear")
    assert wider.status == RunStatus.DONE, wider.error
    assert len(server.gets(LOSSYEAR)) == 1
    layer = RasterLayer.objects.get(table=table, product="hansen_lossyear", active=True)
    assert np.array_equal(pixels(layer)[0], loss[160:200, 80:160])


def test_an_interrupted_download_goes_on_from_the_part_file(serve, table, monkeypatch):
    server = serve(ranges=True)
    loss = lossyear()
    size = publish(server, LOSSYEAR, loss).stat().st_size
    half = size // 2
    server.drop_after[LOSSYEAR] = half
    monkeypatch.setattr(fetching, "ATTEMPTS", 1)
    broken = fetch(table, "hansen_lossyear", whole=True)
    assert broken.status == RunStatus.FAILED
    assert f"goes on from byte {half}" in broken.error
    part = (
        Path(satellite.raster_root())
        / "fetched/granules/hansen_lossyear"
        / f"Hansen_{HANSEN}_lossyear_00N_080W.tif.part"
    )
    assert part.stat().st_size == half
    assert not RasterLayer.objects.filter(table=table).exists()
    done = fetch(table, "hansen_lossyear", whole=True)
    assert done.status == RunStatus.DONE, done.error
    assert server.gets(LOSSYEAR)[-1][2:4] == (f"bytes={half}-", 206)
    assert server.sent(LOSSYEAR) == size  # each byte once
    assert not part.exists()
    layer = RasterLayer.objects.get(table=table, product="hansen_lossyear")
    assert np.array_equal(pixels(layer)[0], loss[160:200, 120:160])


def test_without_ranges_a_broken_download_starts_over_in_the_same_run(serve, table):
    server = serve(ranges=False)
    loss = lossyear()
    size = publish(server, LOSSYEAR, loss).stat().st_size
    server.drop_after[LOSSYEAR] = size // 3
    done = fetch(table, "hansen_lossyear")
    assert done.status == RunStatus.DONE, done.error
    assert [r[4] for r in server.gets(LOSSYEAR)] == [size // 3, size]
    layer = RasterLayer.objects.get(table=table, product="hansen_lossyear")
    assert np.array_equal(pixels(layer)[0], loss[160:200, 120:160])


@pytest.mark.parametrize("ranges", [True, False])
@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("html", "not a GeoTIFF"),
        ("coarse", "not on the grid of hansen_lossyear: pixels are 0.0003"),
        ("utm", "not in EPSG:4326"),
        ("floats", "integer bands"),
        ("missing", "HTTP 404"),
        ("forbidden", "only to accounts"),
        ("encoding", "do not follow the"),
    ],
)
def test_a_wrong_file_is_refused_and_nothing_registered(serve, table, ranges, kind, reason):
    server = serve(ranges=ranges)
    if kind == "html":
        target = server.root / LOSSYEAR
        target.parent.mkdir(parents=True)
        target.write_bytes(b"<!doctype html><title>Sign in</title>" + b" " * 5000)
    elif kind == "coarse":
        publish(server, LOSSYEAR, lossyear()[:300, :300], res=0.0003)
    elif kind == "utm":
        publish(server, LOSSYEAR, lossyear(), crs="EPSG:32717")
    elif kind == "floats":
        publish(server, LOSSYEAR, lossyear().astype(np.float32))
    elif kind == "encoding":
        publish(server, LOSSYEAR, np.full((800, 800), 200, dtype=np.uint8))
    elif kind == "forbidden":
        publish(server, LOSSYEAR, lossyear())
        server.forbidden = {LOSSYEAR}
    events = Event.objects.count()
    done = fetch(table, "hansen_lossyear")
    assert done.status == RunStatus.FAILED
    assert reason in done.error and reason in done.results["hansen_lossyear"]["detail"]
    assert not RasterLayer.objects.filter(table=table).exists()
    fetched = Path(satellite.raster_root()) / "fetched"
    assert not fetched.exists() or not [p.name for p in fetched.rglob("*") if p.is_file()]
    assert Event.objects.count() == events + 1  # the fetch started; no layer registered


def test_a_zone_across_two_granules_becomes_one_layer(serve, table):
    server = serve(ranges=True)
    north_part, south_part = lossyear(4)[:400, :400], lossyear(5)[:400, :400]
    # 10N_080W reaches down to the equator, 00N_080W starts there
    publish(server, LOSSYEAR.replace("00N_080W", "10N_080W"), north_part, north=0.1)
    publish(server, LOSSYEAR, south_part, north=0.0)
    tables.set_territory(
        by=SYSTEM,
        table=table,
        name="Territorio de prueba",
        geometry={
            "type": "Polygon",
            "coordinates": [
                [
                    [-77.47, -0.005],
                    [-77.46, -0.005],
                    [-77.46, 0.005],
                    [-77.47, 0.005],
                    [-77.47, -0.005],
                ]
            ],
        },
    )
    done = fetch(table, "hansen_lossyear")
    assert done.status == RunStatus.DONE, done.error
    assert done.results["hansen_lossyear"]["detail"].startswith("10N_080W: window of 40 × 20 px")
    layer = RasterLayer.objects.get(table=table, product="hansen_lossyear")
    assert layer.path.endswith(".vrt") and (layer.width, layer.height) == (40, 40)
    data, transform = pixels(layer)
    expected = np.vstack([north_part[380:400, 120:160], south_part[0:20, 120:160]])
    assert np.array_equal(data, expected)
    assert (transform.c, transform.f) == pytest.approx((-77.47, 0.005))
    again = fetch(table, "hansen_lossyear")
    assert again.results["hansen_lossyear"]["status"] == "kept"
    assert RasterLayer.objects.filter(table=table).count() == 1


def test_a_failing_product_leaves_the_others_be(serve, table):
    server = serve(ranges=True)
    publish(server, LOSSYEAR, lossyear())  # the tree cover granule is missing
    done = fetch(table, "hansen_treecover2000", "hansen_lossyear")
    assert done.status == RunStatus.FAILED
    assert done.results["hansen_treecover2000"]["status"] == "failed"
    assert done.results["hansen_lossyear"]["status"] == "registered"
    assert list(RasterLayer.objects.filter(table=table).values_list("product", flat=True)) == [
        "hansen_lossyear"
    ]


# --- the command -----------------------------------------------------------------------------


def test_the_command_fetches_with_a_progress_bar(serve, table):
    server = serve(ranges=True)
    publish(server, LOSSYEAR, lossyear())
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "fetch-layers",
        "--table",
        table.slug,
        "--product",
        "hansen_lossyear",
        stdout=out,
        stderr=err,
    )
    assert "[" + "#" * 30 + "] 100/100" in err.getvalue()
    assert err.getvalue().count("/100") >= 3  # the bar moves as the granule comes in
    assert out.getvalue().startswith("hansen_lossyear: registered · 00N_080W: window of 40 × 40 px")
    assert RasterLayer.objects.filter(table=table, product="hansen_lossyear").exists()


def test_the_command_says_what_is_wrong(serve, table, settings):
    serve(ranges=True)
    with pytest.raises(CommandError, match="no table with the slug 'nope'"):
        call_command("fetch-layers", "--table", "nope")
    with pytest.raises(CommandError, match="unknown product 'landsat'"):
        call_command("fetch-layers", "--table", table.slug, "--product", "landsat")
    settings.MINGA_RADD_URL = ""
    with pytest.raises(CommandError, match="set MINGA_RADD_URL"):
        call_command("fetch-layers", "--table", table.slug, "--product", "wur_radd_alerts")
    bare = tables.create_table(
        by=SYSTEM,
        region=Region.objects.get(slug="amazonia-ecuatoriana"),
        name="Sin zonas",
        slug="sin-zonas",
    )
    with pytest.raises(CommandError, match="no territory or agreement with an area"):
        call_command("fetch-layers", "--table", bare.slug)
    settings.MINGA_HANSEN_URL = "http://127.0.0.1:9/"  # nothing listens on the discard port
    with pytest.raises(CommandError, match=r"Could not reach http://127\.0\.0\.1:9/"):
        call_command(
            "fetch-layers",
            "--table",
            table.slug,
            "--product",
            "hansen_lossyear",
            stderr=io.StringIO(),
        )
    assert not RasterLayer.objects.filter(table=table).exists()


# --- the button on the satellite page --------------------------------------------------------

SLUG = "morona-santiago"


def test_the_secretariat_queues_a_fetch_and_sees_its_progress(
    client_for, personas, django_capture_on_commit_callbacks
):
    client = client_for("secretariat")
    page = client.get(f"/t/{SLUG}/satellite/?lang=en").content.decode()
    assert "Fetch the layers from their publishers" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/t/{SLUG}/satellite/", {"fetch": "1", "products": ["hansen_lossyear"]}
        )
    assert response.status_code == 302
    queued = LayerFetch.objects.get(table__slug=SLUG)
    assert queued.status == RunStatus.QUEUED and queued.products == ["hansen_lossyear"]
    assert queued.requested_by == personas["secretariat"]
    tasks_queued = DBTaskResult.objects.filter(task_path__endswith=".fetch_satellite_layers")
    assert [t.args_kwargs["kwargs"] for t in tasks_queued] == [{"fetch_id": queued.pk}]
    assert Event.objects.filter(type="satellite.fetch_queued").exists()
    progress = client.get(f"/t/{SLUG}/satellite/fetches/{queued.public_id}/?lang=en")
    assert 'hx-trigger="every 2s"' in progress.content.decode()
    assert (
        "Layers from their publishers"
        in client.get(f"/t/{SLUG}/satellite/?lang=en").content.decode()
    )
    again = client.post(f"/t/{SLUG}/satellite/?lang=en", {"fetch": "1"}, follow=True)
    assert "already under way" in again.content.decode()
    assert LayerFetch.objects.filter(table__slug=SLUG).count() == 1


def test_only_the_secretariat_fetches(client_for):
    member = client_for("member")
    assert "Fetch the layers" not in member.get(f"/t/{SLUG}/satellite/?lang=en").content.decode()
    assert member.post(f"/t/{SLUG}/satellite/", {"fetch": "1"}).status_code == 403
    assert client_for("public").post(f"/t/{SLUG}/satellite/", {"fetch": "1"}).status_code == 403
    assert (
        client_for("other_secretariat").post(f"/t/{SLUG}/satellite/", {"fetch": "1"}).status_code
        == 403
    )
    assert not LayerFetch.objects.exists()
    bad = client_for("secretariat").post(
        f"/t/{SLUG}/satellite/?lang=en", {"fetch": "1", "products": ["landsat"]}, follow=True
    )
    assert "not one of the available choices" in bad.content.decode()
    assert not LayerFetch.objects.exists()


def test_the_worker_fetches_what_the_page_queued(serve, table, django_capture_on_commit_callbacks):
    server = serve(ranges=True)
    loss = lossyear()
    publish(server, LOSSYEAR, loss)
    with django_capture_on_commit_callbacks(execute=True):
        queued = satellite.start_layer_fetch(by=SYSTEM, table=table, products=["hansen_lossyear"])
    assert tasks.fetch_satellite_layers.call(fetch_id=queued.pk) == RunStatus.DONE
    layer = RasterLayer.objects.get(table=table, product="hansen_lossyear")
    assert np.array_equal(pixels(layer)[0], loss[160:200, 120:160])
