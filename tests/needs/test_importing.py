"""import_needs / import_experts: round trips on both workbooks (also with other column names and merged title rows),
idempotent re-import, bad files refused, the JSON contract and exit codes."""

import io
import json
from datetime import datetime

import openpyxl
import pytest
from django.core.management import call_command

from needs.models import Need
from societies.models import Expert, ExpertCategory, Industry
from tests import factories

pytestmark = pytest.mark.django_db

NEED_HEADER = ("序号", "企业名称", "所在区（市）", "所属产业", "需求名称", "需求内容", "需求类型", "联系人", "联系电话",
               "征集单位", "征集日期")
NEED_ROWS = (
    (1, "中材锂膜有限公司", "滕州市", "新材料", "隔膜涂覆工艺", "涂覆不均匀\n需要改进", "技术攻关", "王工", "13800000000",
     "滕州市科协", datetime(2026, 3, 5)),
    (2, "光芯科技", "市中区", "新一代信息技术", "芯片封装散热", "散热效率低", "设备检测", "李工", "0632-1234567",
     "市中区科协", "2026年3月6日"),
    (None, None, None, None, None, None, None, None, None, None, None),
)
OTHER_NEED_HEADER = ("需求企业", "所属区市", "行业", "技术需求名称", "具体需求", "企业联系人", "手机", "填报单位", "填报日期",
                     "备注栏")
OTHER_NEED_ROWS = (
    ("中材锂膜有限公司", "滕州市科协", "新材料", "隔膜涂覆工艺", "涂覆不均匀\n需要改进", "王工", "13800000000",
     "滕州市科协", "2026/3/5", "无"),
    ("光芯科技", "市中区", "", "芯片封装散热", "散热效率低", "李工", "0632-1234567", "市中区科协", "2026-03-06", ""),
)
EXPERT_HEADER = ("姓名", "工作单位", "职称/职务", "专家级别", "专家类别", "所属学会", "服务产业", "专业领域", "联系电话", "邮箱")
EXPERT_ROWS = (
    ("张三", "枣庄学院", "教授", "省级", "海智专家", "市机械工程学会", "新材料、高端装备", "锂电池隔膜；涂覆工艺",
     "13900000000", "zhang@example.org"),
    ("李四", "山东理工大学", "研究员", "国家级", "新类别专家", "不存在的学会", "新材料，不存在的产业", "石墨烯", "", "bad-mail"),
)
OTHER_EXPERT_HEADER = ("专家姓名", "所在单位", "职称", "级别", "类别", "推荐学会", "产业领域", "研究方向", "手机", "电子邮箱")


def workbook(header, rows, *, titles=("2026年企业技术需求征集表",)) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for number, title in enumerate(titles, start=1):
        sheet.append([title])
        sheet.merge_cells(start_row=number, start_column=1, end_row=number, end_column=len(header))
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def reference(db):
    factories.district("滕州市科协")
    factories.district("市中区科协")
    factories.society("市机械工程学会")
    Industry.objects.create(name="新材料")
    Industry.objects.create(name="高端装备")


def run(command, tmp_path, data, *extra):
    path = tmp_path / "file.xlsx"
    path.write_bytes(data)
    out = io.StringIO()
    try:
        call_command(command, str(path), "--json", *extra, stdout=out)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, json.loads(out.getvalue())


def test_import_needs_round_trip_and_reimport_unchanged(reference, tmp_path):
    code, result = run("import_needs", tmp_path, workbook(NEED_HEADER, NEED_ROWS))
    assert code == 0 and (result["created"], result["updated"], result["unchanged"]) == (2, 0, 0)
    assert result["errors"] == [] and any("新一代信息技术" in warning for warning in result["warnings"])
    need = Need.objects.get(title="隔膜涂覆工艺")
    assert (need.partner.name, need.district.name, need.industry.name, need.kind) == (
        "中材锂膜有限公司", "滕州市科协", "新材料", "research")
    assert (need.collected_on.isoformat(), need.collected_by_district.name, need.description) == (
        "2026-03-05", "滕州市科协", "涂覆不均匀需要改进")
    assert Need.objects.get(title="芯片封装散热").collected_on.isoformat() == "2026-03-06"
    code, again = run("import_needs", tmp_path, workbook(NEED_HEADER, NEED_ROWS))
    assert (code, again["created"], again["updated"], again["unchanged"]) == (0, 0, 0, 2)


def test_import_needs_other_column_names_two_title_rows_same_needs(reference, tmp_path):
    run("import_needs", tmp_path, workbook(NEED_HEADER, NEED_ROWS))
    code, result = run("import_needs", tmp_path, workbook(OTHER_NEED_HEADER, OTHER_NEED_ROWS,
                                                          titles=("附件1", "企业技术需求征集表")))
    assert code == 0
    # the second row has no industry in this variant: that need is updated, the other is the same
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 1, 1)
    assert any("备注栏" in warning for warning in result["warnings"])
    assert Need.objects.count() == 2


def test_import_needs_dry_run_writes_nothing(reference, tmp_path):
    code, result = run("import_needs", tmp_path, workbook(NEED_HEADER, NEED_ROWS), "--dry-run")
    assert (code, result["created"], Need.objects.count()) == (0, 2, 0)


def test_import_needs_missing_column_refused_naming_it(reference, tmp_path):
    header = tuple(name for name in NEED_HEADER if name != "需求内容")
    rows = [tuple(value for i, value in enumerate(row) if NEED_HEADER[i] != "需求内容") for row in NEED_ROWS]
    code, result = run("import_needs", tmp_path, workbook(header, rows))
    assert code == 1 and "需求内容" in result["errors"][0] and Need.objects.count() == 0


def test_import_needs_unknown_district_refuses_the_whole_file(reference, tmp_path):
    rows = (NEED_ROWS[0], ("", "某企业", "火星区", "", "需求", "内容") + (None,) * 5)
    code, result = run("import_needs", tmp_path, workbook(NEED_HEADER, rows))
    assert code == 1 and "火星区" in result["errors"][0] and "第 4 行" in result["errors"][0]
    assert Need.objects.count() == 0


@pytest.mark.parametrize("data", [b"name,district\n1,2\n", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,
                                  b"PK\x03\x04broken", b""])
def test_import_bad_files_refused(reference, tmp_path, data):
    for command in ("import_needs", "import_experts"):
        code, result = run(command, tmp_path, data)
        assert code == 1 and result["errors"] and result["created"] == 0


def test_import_experts_round_trip_and_reimport_unchanged(reference, tmp_path):
    code, result = run("import_experts", tmp_path, workbook(EXPERT_HEADER, EXPERT_ROWS, titles=("专家库",)))
    assert code == 0 and (result["created"], result["updated"], result["unchanged"]) == (2, 0, 0)
    zhang = Expert.objects.get(name="张三")
    assert (zhang.organisation, zhang.title, zhang.level, zhang.category.name, zhang.society.name) == (
        "枣庄学院", "教授", "provincial", "海智专家", "市机械工程学会")
    assert sorted(zhang.industries.values_list("name", flat=True)) == ["新材料", "高端装备"]
    assert zhang.field == "锂电池隔膜；涂覆工艺" and zhang.email == "zhang@example.org"
    li = Expert.objects.get(name="李四")
    assert (li.society, li.email, li.level) == (None, "", "national")
    assert ExpertCategory.objects.filter(name="新类别专家").exists()
    assert len(result["warnings"]) == 3
    code, again = run("import_experts", tmp_path, workbook(EXPERT_HEADER, EXPERT_ROWS, titles=("专家库",)))
    assert (code, again["created"], again["updated"], again["unchanged"]) == (0, 0, 0, 2)


def test_import_experts_other_column_names_update_by_name_and_unit(reference, tmp_path):
    run("import_experts", tmp_path, workbook(EXPERT_HEADER, EXPERT_ROWS))
    rows = [("张 三", "枣庄学院", "教授", "市级", "海智专家", "市机械工程学会", "新材料、高端装备", "锂电池隔膜；涂覆工艺",
             "13900000000", "zhang@example.org")]
    code, result = run("import_experts", tmp_path, workbook(OTHER_EXPERT_HEADER, rows, titles=("甲", "乙")))
    assert (code, result["created"], result["updated"]) == (0, 0, 1)
    assert Expert.objects.get(name="张三").level == "municipal"


def test_import_experts_row_without_fields_is_an_error(reference, tmp_path):
    rows = [EXPERT_ROWS[0], ("王五", "枣庄学院", "", "", "", "", "", "", "", "")]
    code, result = run("import_experts", tmp_path, workbook(EXPERT_HEADER, rows))
    assert code == 1 and "专业领域" in result["errors"][0] and Expert.objects.count() == 0


def test_import_page_for_the_secretariat_only(client, reference, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from societies.choices import Role

    client.force_login(factories.user(Role.DISTRICT, district=factories.district()))
    assert client.get(reverse("needs:import")).status_code == 404
    client.force_login(factories.user(Role.SECRETARIAT))
    upload = SimpleUploadedFile("needs.xlsx", workbook(NEED_HEADER, NEED_ROWS))
    response = client.post(reverse("needs:import"), {"what": "needs", "file": upload})
    assert response.status_code == 200 and response.context["outcome"].created == 2
    bad = client.post(reverse("needs:import"), {"what": "experts", "file": SimpleUploadedFile("x.xlsx", b"a,b\n")})
    assert bad.status_code == 400 and "CSV" in bad.content.decode()
