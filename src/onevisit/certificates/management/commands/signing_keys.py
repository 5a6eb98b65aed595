"""`onevisit signing_keys`: report the signing keys that are missing; `--demo` makes them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onevisit.certificates import signing
from onevisit.org.models import Department


class Command(BaseCommand):
    help = (
        "List the CA certificate and department keys missing from ONEVISIT_SIGNING_DIR; with --demo, "
        "create a demo CA and keys for every department that lacks them (never for production)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--demo", action="store_true", help="Create a demo CA and the missing keys.")

    def handle(self, *args: Any, **options: Any) -> None:
        departments = list(Department.objects.select_related("region").order_by("code"))
        directory = signing.key_dir()
        if options["demo"]:
            try:
                created = signing.demo_keys_create(departments=departments)
            except signing.SigningKeyMissing as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(
                self.style.SUCCESS(f"demo keys in {directory}: {len(created)} department(s) given keys")
            )
            return
        missing = signing.keys_missing(departments=departments)
        if not missing:
            kind = "a demo CA" if signing.is_demo_ca() else "a CA"
            self.stdout.write(
                self.style.SUCCESS(f"{directory}: {kind} and keys for all {len(departments)} departments")
            )
            return
        self.stdout.write(f"{len(missing)} file(s) missing in {directory}:")
        for path in missing:
            self.stdout.write(f"  {path}")
        raise CommandError("signing keys are missing: install them, or run with --demo on a demo instance")
