"""Every decoder on values whose meaning the products' own documentation gives."""

import datetime as dt

import numpy as np
import pytest

from minga.satellite.products import (
    ProductError,
    day_to_date,
    decoder_for,
    encode_integrated,
    guess_product,
    parse_tile_name,
    tile_id,
)
from minga.satellite.synthetic import Landscape


def dates(day):
    return [day_to_date(d) if d else None for d in np.ravel(day)]


def test_integrated_alerts_decode_gfws_examples():
    day, conf = decoder_for("gfw_integrated_alerts").alerts(
        np.array([20001, 30055, 21847, 41847, 0])
    )
    assert dates(day) == [
        dt.date(2015, 1, 1),
        dt.date(2015, 2, 24),
        dt.date(2020, 1, 21),
        dt.date(2020, 1, 21),
        None,
    ]
    assert conf.tolist() == [1, 2, 1, 3, 0]  # low, high, low, highest, none
    assert encode_integrated(dt.date(2020, 1, 21), "highest") == 41847


def test_integrated_alerts_refuse_a_bad_confidence_digit():
    with pytest.raises(ProductError, match="confidence"):
        decoder_for("gfw_integrated_alerts").check(np.array([10001]))


def test_glad_landsat_is_gfws_packed_form():
    day, conf = decoder_for("umd_glad_landsat_alerts").alerts(np.array([20001, 30365, 0]))
    assert dates(day) == [dt.date(2015, 1, 1), dt.date(2015, 12, 31), None]
    assert conf.tolist() == [1, 2, 0]  # probable, confirmed


def test_glad_s2_as_gfw_packs_umds_two_bands():
    """GFW's data pump: ``(alert > 0) * (20000 + 10000 * (alert > 1) + alertDate + 1461)``."""
    level = np.array([1, 2, 4, 0])
    since_2018 = np.array([1, 32, 400, 0])  # UMD's alertDate: days since 2018-12-31
    packed = np.where(level > 0, 20000 + 10000 * (level > 1) + since_2018 + 1461, 0)
    decoder = decoder_for("umd_glad_sentinel2_alerts")
    decoder.check(packed)
    day, conf = decoder.alerts(packed)
    assert dates(day) == [dt.date(2019, 1, 1), dt.date(2019, 2, 1), dt.date(2020, 2, 4), None]
    assert conf.tolist() == [1, 2, 2, 0]
    with pytest.raises(ProductError, match="confidence"):
        decoder.check(np.array([10001]))  # no confidence 1 in the packed form


def test_radd_in_gfws_packed_form():
    values = np.array([21826, 31826, 32192, 0])  # 2019-12-31 low, high; 2020-12-31 high
    day, conf = decoder_for("wur_radd_alerts").alerts(values)
    assert dates(day) == [dt.date(2019, 12, 31), dt.date(2019, 12, 31), dt.date(2020, 12, 31), None]
    assert conf.tolist() == [1, 2, 2, 0]
    assert guess_product("wur_radd_alerts_00N_080W.tif") == "wur_radd_alerts"
    assert guess_product("umd_glad_sentinel2_alerts_00N_080W.tif") == "umd_glad_sentinel2_alerts"


def test_hansen_layers():
    years = decoder_for("hansen_lossyear").year(np.array([0, 1, 24, 25]))
    assert years.tolist() == [0, 2001, 2024, 2025]
    with pytest.raises(ProductError):
        decoder_for("hansen_treecover2000").check(np.array([101]))
    decoder_for("hansen_treecover2000").check(np.array([0, 100]))
    with pytest.raises(ProductError):
        decoder_for("hansen_gain").check(np.array([2]))
    with pytest.raises(ProductError, match="unknown product"):
        decoder_for("modis")


def test_tile_names():
    tile = parse_tile_name("Hansen_GFC-2024-v1.12_lossyear_00N_080W.tif")
    assert (tile.layer, tile.release_year, tile.version, tile.north, tile.west) == (
        "lossyear",
        2024,
        "1.12",
        0,
        -80,
    )
    assert parse_tile_name("x/10S_050W.tif").north == -10
    assert parse_tile_name("notes.txt") is None
    assert tile_id(-1.5, -77.2) == "00N_080W"
    assert tile_id(2.5, -77.2) == "10N_080W"
    assert (
        guess_product("Hansen_GFC-2024-v1.12_treecover2000_00N_080W.tif") == "hansen_treecover2000"
    )
    assert guess_product("gfw_integrated_alerts_00N_080W.tif") == "gfw_integrated_alerts"


def test_the_generator_is_deterministic_and_in_the_encodings():
    land = Landscape(west=-77.5, north=-1.0, width=600, height=600, seed=4)
    a, b = land.block(0, 512), land.block(0, 512)
    for layer in a:
        assert np.array_equal(a[layer], b[layer])
    decoder_for("hansen_treecover2000").check(a["treecover2000"])
    decoder_for("hansen_gain").check(a["gain"])
    assert 0 < a["lossyear"].max() <= 24
    decoder_for("gfw_integrated_alerts").check(a["alerts"])
    day, _ = decoder_for("gfw_integrated_alerts").alerts(a["alerts"][a["alerts"] > 0])
    assert min(dates(day)) >= dt.date(2025, 1, 1)
    names = land.filenames()
    assert names["lossyear"] == "Hansen_GFC-2024-v1.12_lossyear_00N_080W.tif"
