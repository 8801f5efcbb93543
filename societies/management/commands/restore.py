import json

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from sanlian.backup import BackupError, restore
from sanlian.commands import PortalCommand


class Command(PortalCommand):
    help = ("Restore an archive written by `backup` into the configured database and media folder (checksums "
            "checked first; an existing portal is replaced only with --force). Stop web, worker and beat first.")

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the archive written by `manage.py backup`")
        parser.add_argument("--force", action="store_true",
                            help="replace a database or media folder that already holds data")
        parser.add_argument("--json", dest="as_json", action="store_true")

    def handle(self, *args, archive: str, force: bool, as_json: bool, **options):
        try:
            result = restore(archive, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from None
        if as_json:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(_("Restored {archive}: {tables} tables, {rows} rows and {files} files, row counts "
                                "checked against the backup.").format(**result))
