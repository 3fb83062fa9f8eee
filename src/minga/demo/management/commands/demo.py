from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from minga.demo.load import load_demo
from minga.demo.management.commands.load_demo import logins_text


class Command(BaseCommand):
    help = "Migrate, compile translations, load the demo and serve it (default 127.0.0.1:8000)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument(
            "--no-serve", action="store_true", help="prepare everything, do not serve"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("compilemessages", verbosity=0, ignore=[".venv"])
        load_demo(say=lambda line: self.stdout.write(line))
        self.stdout.write(self.style.SUCCESS(logins_text()))
        self.stdout.write(f"Open http://{options['addrport']}/")
        if not options["no_serve"]:
            call_command("runserver", options["addrport"], use_reloader=False)
