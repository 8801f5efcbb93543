"""The two workbook imports' command line (``import_needs`` and ``import_experts``): the same arguments, output and
exit codes, only the kind of workbook differs. The workbook formats are those of the needs-format contract."""

import json
import sys

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from sanlian.access import SYSTEM

from .importing import run


class WorkbookImportCommand(BaseCommand):
    """``python manage.py import_<kind> PATH [--dry-run] [--json]``: exit 0 applied, 1 refused."""

    kind = ""  # "needs" or "experts"

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, path, dry_run, json: bool = False, **options):
        outcome = run(self.kind, path, user=SYSTEM, dry_run=dry_run)
        if json:
            self.stdout.write(_dumps(outcome.as_json()))
        else:
            self.stdout.write(_("Created {}, updated {}, unchanged {}").format(
                outcome.created, outcome.updated, outcome.unchanged))
            for line in outcome.warnings:
                self.stdout.write(_("Warning: {}").format(line))
            for line in outcome.errors:
                self.stderr.write(_("Error: {}").format(line))
        if outcome.errors:
            sys.exit(1)


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)
