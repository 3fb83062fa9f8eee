import contextlib
import ctypes
import signal
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from minga.core import pdf
from minga.demo.load import load_demo
from minga.demo.management.commands.load_demo import logins_text


def _die_with_parent() -> None:
    """In the worker's process: end when the demo's process ends, however it ends (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@contextlib.contextmanager
def worker_beside(say: Any, command: list[str] | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """`minga worker` (or ``command``) in its own process while the server runs; stopped with
    it."""
    worker = subprocess.Popen(  # this interpreter, this package, fixed arguments
        command or [sys.executable, "-m", "minga", "worker"], preexec_fn=_die_with_parent
    )
    say(f"Background worker started (pid {worker.pid}); it stops with the server.")
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        yield worker
    finally:
        signal.signal(signal.SIGTERM, previous)
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


class Command(BaseCommand):
    help = (
        "Migrate, compile translations, load the demo and serve it (default 127.0.0.1:8000) "
        "with a background worker beside the server."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument(
            "--no-serve", action="store_true", help="prepare everything, do not serve"
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not start a worker (run `minga worker` yourself)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("compilemessages", verbosity=0, ignore=[".venv"])
        load_demo(say=lambda line: self.stdout.write(line))
        self.stdout.write(self.style.SUCCESS(logins_text()))
        self.stdout.write(f"Open http://{options['addrport']}/")
        if options["no_serve"]:
            return
        pdf.warm_up()  # the first minutes PDF opens at once
        if options["no_worker"]:
            call_command("runserver", options["addrport"], use_reloader=False)
            return
        with worker_beside(self.stdout.write):
            call_command("runserver", options["addrport"], use_reloader=False)
