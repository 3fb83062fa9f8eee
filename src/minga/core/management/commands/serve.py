"""`minga serve`: the production web server (gunicorn, threaded workers) for minga's WSGI app."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from minga.core import pdf


def _default_workers() -> int:
    return max(2, min(8, (os.cpu_count() or 1) + 1))


class Command(BaseCommand):
    help = (
        "Serve minga in production: gunicorn with threaded workers behind your TLS proxy. "
        "Static files are collected first and served compressed with long cache lifetimes."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--bind",
            default=os.environ.get("MINGA_BIND", "127.0.0.1:8000"),
            help="address:port or unix:PATH (MINGA_BIND; default 127.0.0.1:8000)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("MINGA_WORKERS", _default_workers())),
            help="processes (MINGA_WORKERS; default cores + 1, 2 to 8)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("MINGA_THREADS", 4)),
            help="threads per process (MINGA_THREADS; default 4)",
        )
        parser.add_argument(
            "--timeout",
            type=int,
            default=int(os.environ.get("MINGA_REQUEST_TIMEOUT", 60)),
            help="seconds before a stuck request's worker is restarted (default 60)",
        )
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help="skip `collectstatic` (when the static files were collected at deploy time)",
        )
        parser.add_argument("--access-log", action="store_true", help="log every request")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["workers"] < 1 or options["threads"] < 1:
            raise CommandError("--workers and --threads must be at least 1")
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        # Imported here: gunicorn loads only for `minga serve`.
        from gunicorn.app.base import BaseApplication

        # Imported here: the WSGI application loads only for `minga serve`.
        from minga.wsgi import application

        config = {
            "bind": options["bind"],
            "workers": options["workers"],
            "threads": options["threads"],
            "worker_class": "gthread",
            "timeout": options["timeout"],
            "graceful_timeout": 30,
            "max_requests": 5000,
            "max_requests_jitter": 500,
            "accesslog": "-" if options["access_log"] else None,
            "errorlog": "-",
            "forwarded_allow_ips": os.environ.get("MINGA_FORWARDED_ALLOW_IPS", "127.0.0.1"),
            "proc_name": "minga",
            "control_socket_disable": True,  # no runtime control socket in the home folder
        }

        class Server(BaseApplication):  # type: ignore[misc]
            def load_config(self) -> None:
                for key, value in config.items():
                    if value is not None:
                        self.cfg.set(key, value)

            def load(self) -> Any:
                return application

        pdf.warm_up()  # in the main process: every worker process forked from it starts warm
        mode = "debug" if settings.DEBUG else "production"
        self.stderr.write(
            f"minga ({mode}) on {options['bind']}: {options['workers']} processes × "
            f"{options['threads']} threads"
        )
        Server().run()
