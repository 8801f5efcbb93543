import json

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from sanlian.backup import BackupError, make_backup
from sanlian.commands import PortalCommand


class Command(PortalCommand):
    help = ("Write one archive (.tar.gz) with the database, the uploaded files and a manifest of row counts and "
            "SHA-256 checksums; consistent while the portal runs.")

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, help="the archive to write, e.g. sanlian.tar.gz")
        parser.add_argument("--json", dest="as_json", action="store_true")

    def handle(self, *args, output: str, as_json: bool, **options):
        try:
            result = make_backup(output)
        except BackupError as error:
            raise CommandError(str(error)) from None
        summary = {"archive": result["archive"], "vendor": result["vendor"], "tables": len(result["tables"]),
                   "rows": sum(result["tables"].values()), "files": len(result["files"]), "bytes": result["bytes"],
                   "seconds": result["seconds"]}
        if as_json:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
        else:
            self.stdout.write(_("Backup written to {archive}: {tables} tables, {rows} rows, {files} files, "
                                "{bytes} bytes.").format(**summary))
