from typing import Any

from django.core.management.base import BaseCommand

from onevisit.demo.loader import load_demo


class Command(BaseCommand):
    help = "Load the demo province: regions, departments, staff personas, catalogue, bundles, applicants."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = load_demo()
        self.stdout.write(
            self.style.SUCCESS("demo data loaded: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        )
