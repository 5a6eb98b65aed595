"""`onevisit demo_history --cases N --seed S`: a year of synthetic case history (see demo/history.py)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onevisit.demo import history


class Command(BaseCommand):
    help = "Generate a year of synthetic finished and open cases for dashboards and benchmarks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=20000, help="How many cases (default 20,000).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed; one history per seed.")
        parser.add_argument("--no-ratings", action="store_true", help="Do not add 好差评 ratings.")

    def handle(self, *args: Any, **options: Any) -> None:
        cases = options["cases"]
        if not 1 <= cases <= 5_000_000:
            raise CommandError("--cases must be between 1 and 5,000,000.")
        say = self.stdout.write if options["verbosity"] >= 1 else None
        try:
            report = history.generate(cases=cases, seed=options["seed"], progress=say)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"history: {report.cases} cases ({report.finished} finished, {report.open} open, "
            f"{report.overdue_open} open and overdue), {report.decisions} decisions ({report.automatic} by rules), "
            f"{report.materials} materials, {report.accesses} data accesses, {report.people} applicants "
            f"in {report.seconds:.1f} s"
        )
        from onevisit.insights.rollup import rollup_build

        rows, seconds = rollup_build()
        self.stdout.write(f"indicator rollup rebuilt: {rows} rows in {seconds:.1f} s")
        if options["no_ratings"]:
            return
        try:
            from onevisit.demo.history_feedback import add_ratings  # written with the feedback app
        except ImportError:
            self.stdout.write("ratings skipped: onevisit.demo.history_feedback is not there yet.")
            return
        add_ratings(case_ids=report.finished_ids, seed=options["seed"])
        self.stdout.write("ratings added.")
