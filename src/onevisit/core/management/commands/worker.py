"""`onevisit worker`: run background jobs (django-tasks on Huey)."""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the background worker (Huey consumer for the Django tasks API)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument(
            "--no-periodic", action="store_true", help="Leave periodic jobs to another worker."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        argv = ["--workers", str(options["workers"]), "--worker-type", "thread"]
        if options["no_periodic"]:
            argv.append("--no-periodic")
        call_command("run_huey", *argv)
