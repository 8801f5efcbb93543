import json
import time
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from reports.halfyear import BadHalf, collect, report_name, write_docx, write_xlsx
from sanlian.commands import PortalCommand


class Command(PortalCommand):
    help = "Build the half-yearly joint-meeting report (.xlsx and .docx) synchronously into a folder."

    def add_arguments(self, parser):
        parser.add_argument("--half", required=True, help="e.g. 2024H1")
        parser.add_argument("-o", "--output", required=True, help="folder for <name>.xlsx and <name>.docx")
        parser.add_argument("--json", dest="as_json", action="store_true")

    def handle(self, *args, half: str, output: str, as_json: bool, **options):
        started = time.perf_counter()
        try:
            data = collect(half)
        except BadHalf as error:
            raise CommandError(str(error)) from None
        folder = Path(output)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            xlsx, docx = folder / (report_name(half) + ".xlsx"), folder / (report_name(half) + ".docx")
            xlsx.write_bytes(write_xlsx(data))
            docx.write_bytes(write_docx(data))
        except OSError as error:
            raise CommandError(_("Cannot write to {}: {}").format(folder, error.strerror)) from None
        result = {"half": half, "xlsx": str(xlsx), "docx": str(docx), "projects": data.project_count,
                  "targets": len(data.targets), "seconds": round(time.perf_counter() - started, 3)}
        if as_json:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(_("Report {half}: {xlsx} and {docx} ({projects} projects, {targets} targets).").format(
                **result))
