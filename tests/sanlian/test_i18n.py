"""Every translatable string of the code and templates has a Chinese translation in the committed catalog.

Extracts the strings the way makemessages does (xgettext over the Python files and the templatized templates),
so a string added without a translation fails here instead of showing English to a Chinese user.
"""

import os
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import templatize

ROOT = Path(settings.BASE_DIR)
CATALOG = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
SKIP_DIRS = {".venv", "var", "tests", "bench", "migrations", "node_modules", "static", "locale", ".git", "scripts"}
KEYWORDS = [
    "gettext_noop", "gettext_lazy", "ngettext_lazy:1,2", "pgettext:1c,2", "npgettext:1c,2,3", "pgettext_lazy:1c,2",
    "npgettext_lazy:1c,2,3", "gettext", "ngettext:1,2", "_",
]


def source_files(suffix: str) -> list[Path]:
    found = []
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.startswith(".")]
        found += [Path(folder) / name for name in files if name.endswith(suffix)]
    return sorted(found)


def extracted(tmp_path: Path) -> polib.POFile:
    inputs = [str(path) for path in source_files(".py")]
    for number, template in enumerate(source_files(".html")):
        converted = tmp_path / "template{}.py".format(number)
        converted.write_text(templatize(template.read_text(encoding="utf-8"), origin=str(template)), encoding="utf-8")
        inputs.append(str(converted))
    result = subprocess.run(
        ["xgettext", "--language=Python", "--from-code=UTF-8", "--output=-",
         *("--keyword={}".format(k) for k in KEYWORDS), *inputs],
        capture_output=True, text=True, check=True,
    )
    return polib.pofile(result.stdout)


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")
def test_catalog_translates_every_string_of_code_and_templates(tmp_path):
    catalog = {(entry.msgctxt, entry.msgid): entry for entry in polib.pofile(str(CATALOG))}
    missing = [
        entry.msgid
        for entry in extracted(tmp_path)
        if entry.msgid and not (catalog.get((entry.msgctxt, entry.msgid)) and catalog[(entry.msgctxt, entry.msgid)].translated())
    ]
    assert missing == []


def test_compiled_catalog_is_in_use_and_chinese_by_default(client):
    with translation.override(settings.LANGUAGE_CODE):
        assert translation.gettext("Log in") == "登录"
    response = client.get("/accounts/login/")
    assert response["Content-Language"] == "zh-hans"
    assert "登录" in response.content.decode()


# English words with two Chinese meanings in the portal: each meaning has its context; the context-less msgid keeps
# one meaning and is used only where that meaning is meant (the places named here).
TWO_MEANINGS = {"Open": ({"": "查看", "decision state": "待落实"}, ("templates/",))}
# The seeds' words (../shared/docs/glossary.md): what the portal had drifted to must not come back.
DRIFTED = ("协作企业", "新发展", "建立学会组织", "联系引进", "工作看板", "考核")


def test_a_word_with_two_meanings_has_a_context_for_each():
    catalog = polib.pofile(str(CATALOG))
    for msgid, (meanings, places) in TWO_MEANINGS.items():
        entries = [entry for entry in catalog if entry.msgid == msgid and not entry.obsolete]
        assert {entry.msgctxt or "": entry.msgstr for entry in entries} == meanings
        plain = next(entry for entry in entries if not entry.msgctxt)
        assert all(path.startswith(places) for path, _line in plain.occurrences), plain.occurrences


def test_the_catalog_uses_the_seeds_words():
    catalog = polib.pofile(str(CATALOG))
    drifted = [(entry.msgid, entry.msgstr) for entry in catalog for word in DRIFTED if word in entry.msgstr]
    assert drifted == []
