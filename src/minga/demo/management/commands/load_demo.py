from typing import Any

from django.core.management.base import BaseCommand

from minga.demo.data import DEMO_PASSWORD, DEMO_USERS, OUTSIDER
from minga.demo.load import load_demo


class Command(BaseCommand):
    help = "Load the demo tables (Morona Santiago, Sucumbíos) and demo users. Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        load_demo(say=lambda line: self.stdout.write(line))
        self.stdout.write(self.style.SUCCESS(logins_text()))


def logins_text() -> str:
    users = [("admin", "superuser", "")] + [(u, r, t) for u, _n, t, _o, r in DEMO_USERS]
    users.append((OUTSIDER[0], "no role", ""))
    lines = [f"Demo logins (password for all: {DEMO_PASSWORD}):"]
    lines += [f"  {u:<18} {r:<12} {t}" for u, r, t in users]
    return "\n".join(lines)
