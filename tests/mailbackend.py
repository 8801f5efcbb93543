"""An e-mail backend for the worker tests: the file backend, with a gate that holds a worker mid-batch.

When the file named by ``SANLIAN_TEST_MAIL_GATE`` exists and holds a number N, sending waits (up to a minute) once N
messages are in the mail folder, until the file is removed: the test then kills the worker at a known point.
"""

import os
import time
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend as FileBackend


def mail_messages(folder: Path) -> list[str]:
    """The messages in the file backend's folder: one file per connection, and a connection object's file name can
    repeat within a second (then messages are appended to it), so split the files into messages."""
    separator = "\n" + "-" * 79 + "\n"
    return [
        message
        for path in sorted(folder.glob("*.log"))
        for message in path.read_text(encoding="utf-8", errors="replace").split(separator)
        if message.strip()
    ]


class EmailBackend(FileBackend):
    def send_messages(self, email_messages):
        gate = Path(os.environ.get("SANLIAN_TEST_MAIL_GATE", "/nonexistent"))
        deadline = time.monotonic() + 60
        while gate.exists() and time.monotonic() < deadline:
            try:
                limit = int(gate.read_text() or "0")
            except (OSError, ValueError):
                break
            if len(mail_messages(Path(self.file_path))) < limit:
                break
            time.sleep(0.05)
        return super().send_messages(email_messages)
