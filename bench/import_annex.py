#!/usr/bin/env python
"""Benchmark of the annex importer: ``python bench/import_annex.py --projects N``.

Generates an annex workbook of N projects over about N/3 societies with realistic unit lists (written by the
product's own ``write_annex``), then, in one run on a throwaway SQLite database (migrated first), measures:
reading it with openpyxl alone (read-only mode), ``import_annex`` of it into the empty database, a re-import of the
same file, and the same rows through a stock django-import-export ``ModelResource`` with foreign-key widgets (the
organisations exist already for that run, since a stock widget cannot create them). The last line is JSON.
Not part of the test suite.
"""

import argparse
import io
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2025
DUE = ["5月", "5月中旬", "4月底", "6月", "5-10月", "全年", "12月底前", "10月下旬", "9月", "待定"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
FIELDS = ["医学", "机电工程", "化学化工", "土木工程", "人工智能", "预防医学", "护理", "中医药", "康复医学", "营养",
          "农学", "林学", "水利", "电子", "计算机", "气象", "地理", "心理", "药学", "食品科学"]
DISTRICTS = ["市中区科协", "薛城区科协", "峄城区科协", "台儿庄区科协", "山亭区科协", "滕州市科协", "枣庄高新区科协"]


def generate(n: int, seed: int = 20240429) -> list[dict]:
    """N projects of ~N/3 societies; units drawn from pools that grow with N (so new ones keep appearing)."""
    rng = random.Random(seed)
    societies = ["市{}{}学会".format(rng.choice(FIELDS), i) for i in range(max(1, n // 3))]
    uppers = ["{}{}{}".format(rng.choice(["中国", "山东省", "中华"]), rng.choice(FIELDS), "学会{}".format(i))
              for i in range(max(4, n // 4))]
    uppers += ["{}大学{}研究所".format(rng.choice(["山东", "枣庄", "青岛"]), i) for i in range(max(2, n // 20))]
    partners = ["枣庄{}{}科技有限公司".format(rng.choice(FIELDS), i) for i in range(max(4, n // 2))]
    partners += ["{}社区".format(i) for i in range(max(2, n // 20))] + ["市立医院{}分院".format(i) for i in range(3)]
    rows, number = [], 0
    for seq, society in enumerate(societies, start=1):
        count = n - number if seq == len(societies) else min(rng.randint(1, 5), n - number - (len(societies) - seq))
        contact = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        for _ in range(max(count, 0)):
            number += 1
            rows.append({
                "seq": seq, "society": society,
                "title": "{}“{}”科普{}活动（第{}期）".format(rng.choice(["开展", "举办", "组织"]), rng.choice(FIELDS),
                                                       rng.choice(["宣传", "培训", "服务", "论坛"]), number),
                "districts": rng.sample(DISTRICTS, rng.randint(1, 2)),
                "upper_units": rng.sample(uppers, rng.randint(1, 3)),
                "partners": rng.sample(partners, rng.randint(1, 3)),
                "due_text": rng.choice(DUE), "contact": contact, "remarks": "", "status": "planned",
            })
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=5000, help="number of projects in the generated list")
    parser.add_argument("--skip-stock", action="store_true", help="leave out the (slow) stock import run")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-annex-"))
    os.environ["DATABASE_URL"] = "sqlite:///{}".format(tmp / "bench.sqlite3")
    os.environ["MEDIA_ROOT"] = str(tmp / "media")
    os.environ.setdefault("SECRET_KEY", "sanlian-bench-throwaway-key-not-for-any-server-0123456789")  # DEBUG stays off
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanlian.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from projects.annex import read_annex, write_annex
    from projects.models import Project, ProjectDistrict, ProjectPartner, ProjectUpperUnit

    call_command("migrate", verbosity=0)
    path = tmp / "annex.xlsx"
    path.write_bytes(write_annex(YEAR, generate(args.projects)))
    print("workbook: {} projects, {:.0f} kB".format(args.projects, path.stat().st_size / 1024), flush=True)

    import openpyxl

    started = time.perf_counter()
    book = openpyxl.load_workbook(path, read_only=True)
    cells = sum(len(row) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True))
    book.close()
    read_s = time.perf_counter() - started
    print("openpyxl read-only read: {:.3f} s ({} cells)".format(read_s, cells), flush=True)

    def run_import() -> tuple[float, int, dict]:
        out, queries = io.StringIO(), []

        def count(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            started = time.perf_counter()
            call_command("import_annex", str(path), "--json", stdout=out)
            elapsed = time.perf_counter() - started
        return elapsed, len(queries), json.loads(out.getvalue())

    import_s, queries, first = run_import()
    print("import into an empty database: {:.3f} s, {} queries, {}".format(import_s, queries, first["created"]),
          flush=True)
    assert Project.objects.count() == args.projects, "the import did not create every project"
    assert Project.history.filter(history_change_reason="导入清单").count() == args.projects
    reimport_s, requeries, again = run_import()
    print("re-import: {:.3f} s, {} queries, updated {}, unchanged {}".format(
        reimport_s, requeries, again["updated"], again["unchanged"]), flush=True)

    stock_s = None
    if not args.skip_stock:
        stock_s = stock_import(read_annex(path), Project, (ProjectDistrict, ProjectUpperUnit, ProjectPartner))
        print("stock django-import-export ModelResource: {:.3f} s".format(stock_s), flush=True)
    result = {
        "projects": args.projects, "read_s": round(read_s, 3), "import_s": round(import_s, 3),
        "reimport_s": round(reimport_s, 3), "stock_s": round(stock_s, 3) if stock_s else None,
        "ratio_to_read": round(import_s / read_s, 2),
        "speedup_vs_stock": round(stock_s / import_s, 1) if stock_s else None, "queries": queries,
    }
    print(json.dumps(result))
    return 0


def stock_import(annex, project_model, link_models) -> float:
    """The same rows through a stock ModelResource (ForeignKeyWidget for the society, ManyToManyWidget for units)."""
    import tablib
    from import_export import fields, resources, widgets

    from societies.models import District, Partner, Society, UpperUnit

    # Start from no projects again (the organisations stay: stock widgets only look names up).
    for model in (*link_models, project_model):
        model.objects.all()._raw_delete(model.objects.db)

    class StockProjectResource(resources.ModelResource):
        society = fields.Field("society", "society", widgets.ForeignKeyWidget(Society, "name"))
        districts = fields.Field("districts", "districts", widgets.ManyToManyWidget(District, "、", "name"))
        upper_units = fields.Field("upper_units", "upper_units", widgets.ManyToManyWidget(UpperUnit, "、", "name"))
        partners = fields.Field("partners", "partners", widgets.ManyToManyWidget(Partner, "、", "name"))

        class Meta:
            model = project_model
            fields = ("year", "seq", "position", "society", "title", "districts", "upper_units", "partners",
                      "due_text", "contact", "remarks")
            import_id_fields = ("year", "society", "title")

    headers = ["year", "seq", "position", "society", "title", "districts", "upper_units", "partners", "due_text",
               "contact", "remarks"]
    data = tablib.Dataset(headers=headers)
    for position, row in enumerate(annex.rows, start=1):
        data.append([annex.year, row.seq, position, row.society, row.title, "、".join(row.districts),
                     "、".join(row.upper_units), "、".join(row.partners), row.due_text, row.contact, row.remarks or ""])
    started = time.perf_counter()
    result = StockProjectResource().import_data(data, dry_run=False, use_transactions=True, raise_errors=True)
    elapsed = time.perf_counter() - started
    assert not result.has_errors() and project_model.objects.count() == len(annex.rows)
    return elapsed


if __name__ == "__main__":
    sys.exit(main())
