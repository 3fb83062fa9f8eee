"""Small GeoTIFFs written for the tests, north-up in EPSG:4326 at Hansen's 0.00025°."""

import numpy as np
import rasterio
from rasterio.transform import from_origin

RES = 0.00025


def write_tif(
    path, array: np.ndarray, *, west=-77.0, north=-1.0, res=RES, crs="EPSG:4326", dtype="uint8"
) -> str:
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=array.shape[1],
        height=array.shape[0],
        count=1,
        dtype=dtype,
        crs=crs,
        transform=from_origin(west, north, res, res),
    ) as out:
        out.write(array.astype(dtype), 1)
    return str(path)
