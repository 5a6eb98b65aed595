"""`onevisit demo`: migrate, load demo data once, then run the web server and the worker together."""

import os
import signal
import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from onevisit.catalog.models import ServiceItem


class Command(BaseCommand):
    help = "Start a demo instance on SQLite: migrate, load demo data, run web server and worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument("--no-serve", action="store_true", help="Prepare the database and exit.")
        parser.add_argument(
            "--history", type=int, default=20000, help="Synthetic past cases on first start (0 for none)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if not ServiceItem.objects.exists():
            call_command("loaddemo")
            if options["history"]:  # a year of synthetic cases for the dashboards (about 20 s for 20,000)
                call_command("demo_history", cases=options["history"], seed=1)
        call_command("signing_keys", demo=True)  # departments added since the demo was loaded
        call_command("collectstatic", interactive=False, verbosity=0)
        if options["no_serve"]:
            return
        env = os.environ.copy()
        worker = subprocess.Popen([sys.executable, "-m", "onevisit", "worker"], env=env)
        self.stdout.write(
            f"worker started (pid {worker.pid}); web on http://{options['addr']}/ — personas: demo1234"
        )
        try:
            subprocess.call(
                [sys.executable, "-m", "onevisit", "runserver", options["addr"], "--noreload"], env=env
            )
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=10)
