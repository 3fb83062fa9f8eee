import contextlib
import ctypes
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from minga.core import pdf
from minga.demo.load import load_demo
from minga.demo.management.commands.load_demo import logins_text
from minga.ledger import services as ledger
from minga.ledger import tasks as ledger_tasks
from minga.ledger import witness, witnessing
from minga.ledger.models import Witness


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


# The demo's witnesses: members of the Morona Santiago table, each as if on its own machine.
DEMO_WITNESSES = (
    "witness.federacion-shuar.demo/minga",
    "witness.prefectura-morona.demo/minga",
    "witness.bid.demo/minga",
)


@contextlib.contextmanager
def witnesses_beside(say: Any) -> Iterator[list[subprocess.Popen[str]]]:
    """Three `minga witness serve` processes on free loopback ports, in the log's policy with a
    quorum of two, stopped with the server. Their state lives beside the database; a database
    without witnesses (a fresh demo) starts them afresh, since they would refuse its new tree."""
    root = settings.DATA_DIR / "witnesses"
    if not Witness.objects.exists():
        shutil.rmtree(root, ignore_errors=True)
    log_key = ledger.verifier_key()
    processes = []
    try:
        for i, name in enumerate(DEMO_WITNESSES):
            folder = root / f"w{i + 1}"
            witness.init(folder, name)
            witness.Witness(folder).trust(log_key)
            processes.append(
                subprocess.Popen(  # this interpreter, this package, fixed arguments
                    [
                        sys.executable,
                        "-m",
                        "minga",
                        "witness",
                        "--dir",
                        str(folder),
                        "serve",
                        "127.0.0.1:0",
                    ],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                    text=True,
                    preexec_fn=_die_with_parent,
                )
            )
        for i, (name, process) in enumerate(zip(DEMO_WITNESSES, processes, strict=True)):
            assert process.stdout is not None
            address = process.stdout.readline().strip().removeprefix("listening on ")
            if not address.startswith("http://"):
                raise RuntimeError(f"witness {name} did not start: run `minga witness` to see why")
            verifier = witness.Witness(root / f"w{i + 1}").verifier_key
            witnessing.add_witness(name, address, verifier)
        if witnessing.quorum() == 0:
            witnessing.set_quorum(2)
        ledger_tasks.integrate_log.enqueue()  # the worker collects the first cosignatures
        say("Three witnesses started (quorum 2); see /log/. They stop with the server.")
        yield processes
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


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
        with witnesses_beside(self.stdout.write):
            if options["no_worker"]:
                call_command("runserver", options["addrport"], use_reloader=False)
                return
            with worker_beside(self.stdout.write):
                call_command("runserver", options["addrport"], use_reloader=False)
