"""Keep the Chinese catalog complete: ``python scripts/i18n.py [update] [FILE.json ...]``.

``update`` runs makemessages for zh_Hans (needs GNU gettext), then fills empty translations from the JSON files
given (objects of msgid → msgstr; a plural entry takes a list; a msgid with a context is written
"context\u0004msgid", as gettext does; the entries under "__override__" replace a translation already made, for
wording corrections), compiles the catalog, and lists what is still untranslated (exit 1 if anything is). The compiled .mo is committed, so `make run` needs no gettext.
"""

import json
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def main(args: list[str]) -> int:
    if args[:1] == ["update"]:
        args = args[1:]
        subprocess.run(
            [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete",
             "--ignore=.venv", "--ignore=var", "--ignore=node_modules", "--ignore=bench"],
            cwd=ROOT, check=True,
        )
    catalog = polib.pofile(str(PO), wrapwidth=120)
    translations: dict = {}
    overrides: dict = {}
    for name in args:
        found = json.loads(Path(name).read_text(encoding="utf-8"))
        overrides.update(found.pop("__override__", {}))
        translations.update(found)
    for entry in catalog:
        key = "{}\x04{}".format(entry.msgctxt, entry.msgid) if entry.msgctxt else entry.msgid
        value = overrides.get(key)
        if value is None and not entry.translated():
            value = translations.get(key, translations.get(entry.msgid))  # a context's own, else the plain msgid's
        if value is not None:
            if entry.msgid_plural:
                entry.msgstr_plural = {0: value[0] if isinstance(value, list) else value}
            else:
                entry.msgstr = value
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
    catalog.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    catalog.save()
    catalog.save_as_mofile(str(PO.with_suffix(".mo")))
    missing = [entry.msgid for entry in catalog if not entry.translated() and not entry.obsolete]
    for msgid in missing:
        print("untranslated:", msgid)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
