import json
import sys
from pathlib import Path

from django.utils.translation import gettext as _

from projects.models import Project
from sanlian.access import SYSTEM
from projects.importing import annex_rows, export_annex
from sanlian.commands import PortalCommand


class Command(PortalCommand):
    help = "Export a year's key-project list as an annex workbook (-o FILE.xlsx) or as JSON (--json)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("-o", "--output", help="The workbook to write (.xlsx).")
        target.add_argument("--json", action="store_true", dest="as_json", help="Print the list as JSON on stdout.")

    def handle(self, *args, year: int, output=None, as_json=False, **options):
        projects = Project.objects.for_user(SYSTEM).filter(year=year)
        if as_json:
            self.stdout.write(json.dumps({"year": year, "projects": annex_rows(projects)}, ensure_ascii=False))
            return
        try:
            Path(output).write_bytes(export_annex(projects, year=year))
        except OSError as error:
            self.stderr.write(_("The file “{}” cannot be written: {}").format(output, error.strerror or error))
            sys.exit(1)
        self.stdout.write(_("{count} projects of {year} written to {path}.").format(
            count=projects.count(), year=year, path=output))
