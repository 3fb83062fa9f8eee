"""Error-adjusted area estimation and accuracy (Olofsson et al. 2014, RSE 148: 42–57). Pure.

The map's classes are the strata of a stratified random sample; each sample unit gets a
reference label on the ground. With ``W_i`` the share of the mapped area in map class ``i``,
``n_ij`` the sample units mapped ``i`` and found ``j``, and ``n_i`` the units in stratum ``i``:

* estimated area proportions ``p_ij = W_i · n_ij / n_i`` (the paper's eq. 4);
* area of reference class ``j``: ``A · Σ_i p_ij`` (eq. 9), with standard error
  ``A · sqrt(Σ_i W_i² · (n_ij/n_i)(1 − n_ij/n_i) / (n_i − 1))`` (eq. 10) and a 95 % interval of
  ±1.96 standard errors;
* user's accuracy ``p_ii / p_i·``, producer's ``p_jj / p_·j``, overall ``Σ_j p_jj`` (eqs. 1–3).

A stratum with fewer than two sample units has no variance estimate: refused, never guessed.
Also here: the sample allocation the paper recommends (section 5.1.3).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

Z95 = 1.96


class EstimationError(ValueError):
    """The inputs cannot give a sound estimate."""


@dataclass(frozen=True)
class ClassEstimate:
    name: str
    mapped_area: float
    area: float
    ci95: float
    standard_error: float
    users_accuracy: float | None
    producers_accuracy: float | None


@dataclass(frozen=True)
class Estimate:
    classes: list[ClassEstimate]
    overall_accuracy: float
    total_area: float
    sample_size: int

    def as_dict(self) -> dict[str, object]:
        return {
            "classes": {
                c.name: {
                    "area": c.area,
                    "ci95": c.ci95,
                    "users_accuracy": c.users_accuracy,
                    "producers_accuracy": c.producers_accuracy,
                }
                for c in self.classes
            },
            "overall_accuracy": self.overall_accuracy,
        }

    def get(self, name: str) -> ClassEstimate:
        return next(c for c in self.classes if c.name == name)


def estimate_area(
    classes: Sequence[str], mapped_area: Sequence[float], error_matrix: Sequence[Sequence[float]]
) -> Estimate:
    """Stratified estimator of area and accuracy; rows of ``error_matrix`` are map classes."""
    k = len(classes)
    if k < 2:
        raise EstimationError("at least two classes are needed")
    if len(set(classes)) != k:
        raise EstimationError("class names must be unique")
    if len(mapped_area) != k:
        raise EstimationError(f"mapped_area has {len(mapped_area)} values for {k} classes")
    if len(error_matrix) != k or any(len(row) != k for row in error_matrix):
        raise EstimationError(
            f"error_matrix must be {k} × {k} (rows = map class, columns = reference)"
        )
    areas = [_number(a, "mapped_area") for a in mapped_area]
    counts = [[_number(n, "error_matrix") for n in row] for row in error_matrix]
    if any(a < 0 for a in areas) or any(n < 0 for row in counts for n in row):
        raise EstimationError("areas and sample counts cannot be negative")
    total = sum(areas)
    if total <= 0:
        raise EstimationError("the mapped area is zero")
    for name, area, row in zip(classes, areas, counts, strict=True):
        if area > 0 and sum(row) < 2:
            raise EstimationError(
                f"map class {name!r} has {sum(row):g} sample unit(s): at least two are needed "
                "to estimate its variance"
            )
    weights = [a / total for a in areas]
    p = [
        [w * n / sum(row) if sum(row) else 0.0 for n in row]
        for w, row in zip(weights, counts, strict=True)
    ]
    out = []
    for j, name in enumerate(classes):
        pj = sum(p[i][j] for i in range(k))
        variance = 0.0
        for i in range(k):
            ni = sum(counts[i])
            if ni < 2:
                continue
            share = counts[i][j] / ni
            variance += weights[i] ** 2 * share * (1 - share) / (ni - 1)
        se = total * math.sqrt(variance)
        row_total = sum(p[j])
        out.append(
            ClassEstimate(
                name=name,
                mapped_area=areas[j],
                area=total * pj,
                ci95=Z95 * se,
                standard_error=se,
                users_accuracy=p[j][j] / row_total if row_total else None,
                producers_accuracy=p[j][j] / pj if pj else None,
            )
        )
    overall = sum(p[j][j] for j in range(k))
    return Estimate(out, overall, total, int(sum(sum(r) for r in counts)))


def _number(value: object, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise EstimationError(f"{field} holds {value!r}, which is not a number")
    if not math.isfinite(value):
        raise EstimationError(f"{field} holds {value!r}")
    return float(value)


def allocate(
    mapped_area: Sequence[float], *, total: int, minimum: int = 50, rare_share: float = 0.1
) -> list[int]:
    """Sample units per stratum: proportional, but at least ``minimum`` in every stratum.

    The compromise the paper recommends for rare change classes (section 5.1.3): rare strata get
    ``minimum`` units and the rest is shared in proportion to area.
    """
    if total < minimum * len(mapped_area):
        raise EstimationError(
            f"{total} sample units cannot give {minimum} to each of {len(mapped_area)} strata"
        )
    whole = sum(mapped_area)
    if whole <= 0:
        raise EstimationError("the mapped area is zero")
    counts = [minimum if a / whole < rare_share else 0 for a in mapped_area]
    left = total - sum(counts)
    big = [i for i, c in enumerate(counts) if c == 0]
    big_area = sum(mapped_area[i] for i in big)
    for i in big:
        counts[i] = max(minimum, round(left * mapped_area[i] / big_area))
    return counts
