"""Files the browser tests upload, as the field tools write them."""

from __future__ import annotations

import csv
import io


def community_survey(lon: float, lat: float) -> bytes:
    """A KoboToolbox CSV export (`;`, as Kobo offers it) of a community's own survey."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        ["start", "end", "today", "ubicacion", "_ubicacion_latitude", "_ubicacion_longitude",
         "amenazas", "observaciones", "meta/instanceID", "_uuid", "_submission_time"]
    )  # fmt: skip
    rows = [
        ("dragas_en_el_rio", "Balsa con motor en el río"),
        ("motosierras_escuchadas", "Se oyen motosierras al amanecer"),
        ("dragas_en_el_rio motosierras_escuchadas", "Balsa y ruido de motosierras"),
    ]
    for n, (threats, note) in enumerate(rows):
        y, x = lat + n * 0.001, lon + n * 0.001
        writer.writerow(
            [f"2026-11-0{n + 1}T07:10:00.000-05:00", f"2026-11-0{n + 1}T07:20:00.000-05:00",
             f"2026-11-0{n + 1}", f"{y} {x} 900 5", y, x, threats, note, f"uuid:survey-{n}",
             f"survey-{n}", f"2026-11-0{n + 1}T14:00:00"]
        )  # fmt: skip
    return out.getvalue().encode()
