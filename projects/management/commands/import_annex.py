import json
import sys

from django.utils.translation import gettext as _

from projects.annex import AnnexIssue, AnnexRefused
from projects.importing import ImportPlanChanged, import_annex, issue_json
from sanlian.commands import PortalCommand


class Command(PortalCommand):
    help = "Import a year's key-project list from an annex workbook (.xlsx). Exit 0 when applied, 1 when refused."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The workbook (.xlsx).")
        parser.add_argument("--year", help="The year of the list (else read from the workbook's title).")
        parser.add_argument("--sheet", help="The sheet to read when several hold a list.")
        parser.add_argument("--dry-run", action="store_true", help="Only say what would change.")
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print one JSON object on stdout.")

    def handle(self, *args, path: str, year=None, sheet=None, dry_run=False, as_json=False, **options):
        if year is not None and not year.strip().isdigit():
            self.refuse([], as_json, _("The year “{}” is not a number.").format(year))
        try:
            result = import_annex(path, year=int(year) if year else None, sheet=sheet, dry_run=dry_run)
        except AnnexRefused as refused:
            self.refuse(refused.issues, as_json)
        except ImportPlanChanged:
            self.refuse([], as_json, _("The list changed while it was being imported; nothing was changed. Try again."))
        if as_json:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
            return
        created = result.created
        self.stdout.write(
            _("List {year}: {projects} new projects, {updated} updated, {unchanged} unchanged; new organisations: "
              "{societies} societies, {districts} district associations, {upper_units} upper-level units, "
              "{partners} partners.").format(year=result.year, updated=result.updated, unchanged=result.unchanged,
                                             **created)
        )
        for issue in result.warnings:
            self.stdout.write(_("Warning: {}").format(str(issue)))
        if dry_run:
            self.stdout.write(_("Dry run: nothing was changed."))

    def refuse(self, issues, as_json: bool, message: str = ""):
        """Reasons on stderr (and the JSON errors object with ``--json``), then exit 1: never a traceback."""
        issues = list(issues) or [AnnexIssue(sheet=None, row=None, column=None, message=message)]
        self.stderr.write(_("The workbook was refused; nothing was changed:"))
        for issue in issues:
            self.stderr.write("  " + str(issue))
        if as_json:
            self.stdout.write(json.dumps({"errors": [issue_json(issue) for issue in issues]}, ensure_ascii=False))
        self.stdout.flush()
        sys.exit(1)
