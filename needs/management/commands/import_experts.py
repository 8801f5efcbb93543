"""``python manage.py import_experts PATH [--dry-run] [--json]``: exit 0 applied, 1 refused."""

from needs.commands import WorkbookImportCommand


class Command(WorkbookImportCommand):
    help = "Import a workbook of experts (the needs-format contract)."
    kind = "experts"
