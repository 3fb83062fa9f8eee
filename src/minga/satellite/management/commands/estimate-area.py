"""`minga estimate-area FILE.json`: error-adjusted areas with 95 % intervals (Olofsson et al. 2014)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from minga.satellite.estimation import EstimationError, estimate_area


class Command(BaseCommand):
    help = (
        'Error-adjusted area per class: FILE.json holds {"classes": [...], "mapped_area": [...], '
        '"error_matrix": [[...]]} (rows = map class, columns = reference class)'
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror or exc}", returncode=2) from None
        except ValueError as exc:
            raise CommandError(f"{path}: not JSON ({exc})", returncode=2) from None
        if not isinstance(data, dict) or not {"classes", "mapped_area", "error_matrix"} <= set(
            data
        ):
            raise CommandError(
                f"{path}: needs the keys classes, mapped_area and error_matrix", returncode=2
            )
        try:
            result = estimate_area(data["classes"], data["mapped_area"], data["error_matrix"])
        except (EstimationError, TypeError) as exc:
            raise CommandError(f"{path}: {exc}", returncode=2) from None
        self.stdout.write(json.dumps(result.as_dict()))
