from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from onevisit.core.calendar import calendar_add_year, calendar_seed, known_years


class Command(BaseCommand):
    help = "Working-day calendar: `seed` from chinese-calendar, `add-year YEAR` for admins to edit, `years`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["seed", "add-year", "years"])
        parser.add_argument("year", nargs="?", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "seed":
            years = calendar_seed(years=[options["year"]] if options["year"] else None)
            self.stdout.write(
                f"seeded {len(years)} year(s): {years[0] if years else '-'}..{years[-1] if years else '-'}"
            )
        elif options["action"] == "add-year":
            if not options["year"]:
                self.stderr.write("add-year needs a year")
                return
            added = calendar_add_year(year=options["year"])
            self.stdout.write(
                f"added {added} days for {options['year']}; mark holidays and 调休 in the admin"
            )
        else:
            self.stdout.write(" ".join(str(y) for y in known_years()))
