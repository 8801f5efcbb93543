"""``python manage.py import_needs PATH [--dry-run] [--json]``: exit 0 applied, 1 refused."""

from needs.commands import WorkbookImportCommand


class Command(WorkbookImportCommand):
    help = "Import a workbook of needs (the needs-format contract)."
    kind = "needs"
