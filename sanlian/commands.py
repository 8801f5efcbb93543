"""The base of the portal's management commands: a refusal (``CommandError``) reaches the person at the terminal as
its message alone, in their language, without Django's English ``CommandError:`` prefix; the exit code is kept.
Called from code (``call_command``), the error is raised as usual."""

import sys

from django.core.management.base import BaseCommand, CommandError, SystemCheckError


class PortalCommand(BaseCommand):
    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except CommandError as error:
            if not self._called_from_command_line or options.get("traceback") or isinstance(error, SystemCheckError):
                raise
            self.stderr.write(str(error))
            sys.exit(error.returncode)
