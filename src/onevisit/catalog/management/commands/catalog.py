"""`onevisit catalog export|import`: the catalogue as JSON or XLSX."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onevisit.catalog import transfer
from onevisit.catalog.tasks import catalog_reindex


class Command(BaseCommand):
    help = (
        "Export the catalogue (JSON or XLSX) or import one; an import that fails any check changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["export", "import", "reindex"])
        parser.add_argument("path", nargs="?", default="")
        parser.add_argument("--format", choices=["json", "xlsx"], help="Defaults to the file's extension.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "reindex":
            result = catalog_reindex.enqueue()
            self.stdout.write(f"search reindex enqueued ({result.id}); `onevisit worker` runs it")
            return
        if not options["path"]:
            raise CommandError("give the file to export to or import from")
        path = Path(options["path"])
        fmt = options["format"] or ("xlsx" if path.suffix.lower() == ".xlsx" else "json")
        if options["action"] == "export":
            path.write_bytes(transfer.export_xlsx() if fmt == "xlsx" else transfer.export_json())
            self.stdout.write(f"catalogue exported to {path}")
            return
        data = path.read_bytes()
        try:
            catalog = transfer.parse_xlsx(data) if fmt == "xlsx" else transfer.parse_json(data)
            report = transfer.catalog_import(actor="cli", catalog=catalog)
        except transfer.ImportRejected as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"import refused: {len(exc.problems)} problem(s); nothing was changed"
            ) from exc
        self.stdout.write(
            f"imported: {len(report.created)} created, {len(report.updated)} updated, {len(report.unchanged)} unchanged"
            f"; {len(report.powers_written)} powers written"
        )
