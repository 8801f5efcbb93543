"""Targets are shown by their short Chinese name, with the threshold built in, never by their code: on the
dashboard (table and chart), its Excel, the drill-down and the half-yearly report."""

import importlib
import io
import json
import re

import openpyxl
import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from reports.models import TargetDefinition
from societies.choices import Role
from tests import factories

pytestmark = pytest.mark.django_db

SHORT = {"T1-societies": "新增市级学会（≥5个）", "T1-members": "新增个人会员（≥1000人）",
         "T2-municipal-brands": "市级改革品牌（每年≥10个）", "T3-expert-services": "引荐科技专家开展科技服务（每年≥60人次）",
         "T1-district-orgs": "区（市）科协成立学会组织机构", "M9-meetings": "每半年召开联席会议"}


def codes() -> list[str]:
    return list(TargetDefinition.objects.values_list("code", flat=True))


def test_shipped_targets_have_short_names_with_their_thresholds(targets):
    labels = {target.code: target.label for target in TargetDefinition.objects.all()}
    assert {code: labels[code] for code in SHORT} == SHORT
    assert all(label and not re.search(r"[A-Z]\d", label) for label in labels.values())


def test_editing_the_threshold_changes_the_name(targets, client):
    target = TargetDefinition.objects.get(code="T2-municipal-brands")
    target.threshold = 12
    target.save()
    assert TargetDefinition.objects.get(code="T2-municipal-brands").label == "市级改革品牌（每年≥12个）"
    client.force_login(factories.user(Role.LEADER))
    assert "市级改革品牌（每年≥12个）" in client.get(reverse("reports:dashboard")).content.decode()


def test_the_data_migration_fills_the_shipped_targets_and_keeps_edited_ones(db):
    migration = importlib.import_module("reports.migrations.0006_short_name")
    TargetDefinition.objects.create(code="T1-societies", name="新成立市级学会（≥5个）", rule="record_count",
                                    threshold=5, period="plan")
    TargetDefinition.objects.create(code="T3-served", name="服务企业", short_name="服务企业", rule="enterprises_served",
                                    threshold=15)
    TargetDefinition.objects.create(code="X-own", name="自定目标", rule="record_count", threshold=3)
    migration.fill_short_names(apps, None)
    found = {t.code: (t.short_name, t.unit, t.label) for t in TargetDefinition.objects.all()}
    assert found == {"T1-societies": ("新增市级学会", "个", "新增市级学会（≥5个）"),
                     "T3-served": ("服务企业", "", "服务企业"),
                     "X-own": ("", "", "自定目标")}


def test_dashboard_table_and_chart_show_names_not_codes(targets, client):
    client.force_login(factories.user(Role.LEADER))
    page = client.get(reverse("reports:dashboard"))
    html = page.content.decode()
    chart = json.loads(re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html,
                                 re.S).group(1))
    assert chart["labels"][:2] == ["新增市级学会（≥5个）", "新增个人会员（≥1000人）"]
    assert not set(chart["labels"]) & set(codes())
    table = re.search(r'<table class="table[^"]*" id="targets-table">.*?</table>', html, re.S).group(0)
    shown = re.sub(r"<[^>]+>", " ", table)
    assert "新增市级学会（≥5个）" in shown
    assert not [code for code in codes() if code in shown]


def test_dashboard_excel_shows_names_not_codes(targets, client):
    client.force_login(factories.user(Role.LEADER))
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("reports:dashboard_export")).content))
    sheet = book["目标任务"]
    assert sheet["A1"].value == "目标" and sheet["A2"].value == "新增市级学会（≥5个）"
    cells = {str(cell.value) for row in sheet.iter_rows() for cell in row}
    assert not cells & set(codes())


def test_halfyear_report_shows_names_not_codes(targets, tmp_path, capsys):
    call_command("build_report", "--half", "2024H1", "-o", str(tmp_path), "--json")
    result = json.loads(capsys.readouterr().out)
    book = openpyxl.load_workbook(result["xlsx"])
    cells = {str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row}
    assert "新增市级学会（≥5个）" in cells and not cells & set(codes())
    import docx

    document = docx.Document(result["docx"])
    words = "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert "新增市级学会（≥5个）" in words and not [code for code in codes() if code in words]
