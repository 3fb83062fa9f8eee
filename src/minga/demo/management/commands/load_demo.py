from typing import Any

from django.core.management.base import BaseCommand, CommandError

from minga.core.cli import progress_bar
from minga.demo import scale
from minga.demo.data import DEMO_PASSWORD, DEMO_USERS, OUTSIDER
from minga.demo.load import load_demo


class Command(BaseCommand):
    help = (
        "Load the demo tables (Morona Santiago, Sucumbíos) and demo users. Idempotent. "
        "--scale network adds a pan-Amazon network of 1,000 tables around them."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--scale",
            choices=["network"],
            help="also generate the pan-Amazon scale dataset (see the README for its sizes)",
        )
        parser.add_argument(
            "--factor",
            type=float,
            default=1.0,
            help="with --scale: a fraction of the full sizes (e.g. 0.01 for a quick try)",
        )
        parser.add_argument("--seed", type=int, default=2026, help="with --scale: random seed")

    def handle(self, *args: Any, **options: Any) -> None:
        if not 0 < options["factor"] <= 1:
            raise CommandError("--factor must be more than 0 and at most 1")
        load_demo(say=lambda line: self.stdout.write(line))
        if options["scale"]:
            self._scale(options["factor"], options["seed"])
        self.stdout.write(self.style.SUCCESS(logins_text()))

    def _scale(self, factor: float, seed: int) -> None:
        if scale.already_loaded():
            self.stdout.write(
                f"The scale dataset is already loaded ({scale.already_loaded():,} generated "
                "tables): nothing added. Start from an empty database to load it again."
            )
            return
        built = scale.generate(
            factor=factor,
            seed=seed,
            say=lambda line: self.stderr.write(line),
            progress=lambda: progress_bar(self.stderr),
        )
        self.stdout.write("Scale dataset loaded:")
        for name, count in built.counts.items():
            self.stdout.write(f"  {name:<14} {count:>12,}")
        self.stdout.write(
            "Elapsed (s, cumulative): "
            + ", ".join(f"{name} {secs}" for name, secs in built.seconds.items())
        )


def logins_text() -> str:
    users = [("admin", "superuser", "")] + [(u, r, t) for u, _n, t, _o, r in DEMO_USERS]
    users.append((OUTSIDER[0], "no role", ""))
    lines = [f"Demo logins (password for all: {DEMO_PASSWORD}):"]
    lines += [f"  {u:<18} {r:<12} {t}" for u, r, t in users]
    return "\n".join(lines)
