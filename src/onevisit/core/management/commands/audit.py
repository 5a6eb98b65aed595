from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onevisit.core.audit import audit_verify


class Command(BaseCommand):
    help = "Audit log tools. `audit verify` checks the hash chain and exits non-zero when it is broken."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        count, problems = audit_verify()
        for problem in problems:
            self.stderr.write(f"event {problem.seq}: {problem.problem}")
        if problems:
            raise CommandError(f"audit chain broken: {len(problems)} problem(s) in {count} events")
        self.stdout.write(self.style.SUCCESS(f"audit chain intact: {count} events verified"))
