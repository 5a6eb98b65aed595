"""`onevisit insights_rollup [--until YYYY-MM-DD] [--clear]`: rebuild the daily indicator rollup."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onevisit.insights.rollup import rollup_build, rollup_clear


class Command(BaseCommand):
    help = "Rebuild the daily rollup the indicator dashboards read (run once a day, after midnight)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--until", help="Last day to roll up (default: yesterday).")
        parser.add_argument("--clear", action="store_true", help="Remove the rollup: read the cases only.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["clear"]:
            rollup_clear()
            self.stdout.write("rollup removed.")
            return
        until = None
        if options["until"]:
            try:
                until = dt.date.fromisoformat(options["until"])
            except ValueError as error:
                raise CommandError("--until must be a date such as 2026-11-25.") from error
        rows, seconds = rollup_build(until=until)
        self.stdout.write(f"rollup: {rows} rows in {seconds:.1f} s")
