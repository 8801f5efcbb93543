#!/usr/bin/env python
"""Benchmark of the half-yearly report: ``python bench/report.py --projects 2000``.

On a throwaway SQLite database, seeds ``seed_demo`` with N projects in the year of the half, then times in one run:
the report (``collect`` + ``write_xlsx`` + ``write_docx``, what a build does) against a baseline that writes the
same tables — the same number of cells — with openpyxl's write-only mode plus a python-docx document of the same
tables. Prints the peak memory (tracemalloc, in a second untimed pass) and, last, JSON {"projects", "report_s", "baseline_s", "ratio"}.
Not part of the test suite.
"""

import argparse
import io
import json
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--half", default="2025H1")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="sanlian-bench-report-"))
    os.environ["DATABASE_URL"] = "sqlite:///{}".format(tmp / "bench.sqlite3")
    os.environ["VAR_DIR"] = str(tmp)
    os.environ.setdefault("SECRET_KEY", "sanlian-bench-throwaway-key-not-for-any-server-0123456789")  # DEBUG stays off
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanlian.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import docx
    import openpyxl
    from django.core.management import call_command

    from reports.halfyear import collect, sections, write_docx, write_xlsx
    from reports.demo import seed_demo

    call_command("migrate", verbosity=0)
    seed_demo(projects=args.projects, seed=1, year=int(args.half[:4]), force=True)

    start = time.perf_counter()
    data = collect(args.half)
    xlsx, word = write_xlsx(data), write_docx(data)
    report_s = time.perf_counter() - start
    tracemalloc.start()  # a second, untimed pass for the peak memory (tracing slows Python down)
    write_docx(data), write_xlsx(collect(args.half))
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    tables = sections(data)
    cells = sum(len(header) * (1 + len(rows)) for _title, header, rows in tables)
    start = time.perf_counter()
    book = openpyxl.Workbook(write_only=True)
    for title, header, rows in tables:
        sheet = book.create_sheet(title[:31])
        sheet.append(header)
        for row in rows:
            sheet.append(["" if value is None else value if isinstance(value, (int, float)) else str(value)
                          for value in row])
    book.save(io.BytesIO())
    document = docx.Document()
    for title, header, rows in tables:
        document.add_heading(title, level=1)
        table = document.add_table(rows=1, cols=len(header))
        for cell, text in zip(table.rows[0].cells, header):
            cell.text = str(text)
        for row in rows:
            for cell, value in zip(table.add_row().cells, row):
                cell.text = "" if value is None else str(value)
    document.save(io.BytesIO())
    baseline_s = time.perf_counter() - start

    print("projects {}, {} cells, xlsx {:.0f} kB, docx {:.0f} kB, peak traced memory {:.1f} MB".format(
        data.project_count, cells, len(xlsx) / 1024, len(word) / 1024, peak / 1024 / 1024))
    print(json.dumps({"projects": data.project_count, "report_s": round(report_s, 3),
                      "baseline_s": round(baseline_s, 3), "ratio": round(report_s / baseline_s, 2)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
