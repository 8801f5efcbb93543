"""Leadership's instructions (领导批示): the leader writes one, the society replies with files, the leader sees the
reply and is told, and marks it done; outsiders get 404; bad input is refused in Chinese; the history, the
dashboard counts, "my projects", the half-year section, and the list's queries constant in the number of rows."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects import instructions
from projects.models import Instruction, InstructionFile, InstructionReply, InstructionStatus, Notification
from reports.halfyear import collect, sections
from societies.choices import Role
from tests import factories

from .test_updates import EXE, PNG

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world):
    world["society1"].email = "s1@example.org"
    world["society1"].save(update_fields=["email"])
    world["district2"] = factories.user(Role.DISTRICT, district=world["b"].district_list[0])
    return world


def write(client, user, project, text="请加快推进，月底前报送进展", deadline=None):
    client.force_login(user)
    data = {"text": text, "deadline": deadline.isoformat() if deadline else ""}
    return client.post(reverse("projects:instruction_create", args=[project.pk]), data)


def reply(client, user, instruction, text="已召开专题会议落实", *files):
    client.force_login(user)
    data = {"text": text}
    if files:
        data["files"] = list(files)
    return client.post(reverse("projects:instruction_reply", args=[instruction.pk]), data)


def test_instruction_round_trip_for_leader_society_and_secretariat(client, people):
    project, leader, contact = people["a"], people["leader"], people["society1"]
    deadline = timezone.localdate() + timedelta(days=10)
    assert write(client, leader, project, deadline=deadline).status_code == 302
    instruction = Instruction.objects.get()
    assert (instruction.author, instruction.status, instruction.deadline) == (leader, InstructionStatus.OPEN, deadline)
    # the society's contacts and the secretariat are told, in their notification centre; the leader is not
    told = set(Notification.objects.filter(kind=instructions.WRITTEN).values_list("recipient__username", flat=True))
    assert told == {contact.username, people["society1_colleague"].username, people["secretariat"].username}
    client.force_login(contact)
    assert "领导批示" in client.get(reverse("projects:notifications")).content.decode()
    page = client.get(project.get_absolute_url()).content.decode()
    assert "请加快推进，月底前报送进展" in page and reverse("projects:instruction_reply", args=[instruction.pk]) in page
    assert reverse("projects:instruction_create", args=[project.pk]) not in page  # a contact writes no 批示

    # the society replies from the project page with a photo
    assert reply(client, contact, instruction, "已召开专题会议落实", SimpleUploadedFile("现场.png", PNG)).status_code == 302
    instruction.refresh_from_db()
    assert instruction.status == InstructionStatus.ANSWERED and instruction.answered_at is not None
    stored = InstructionFile.objects.get()
    assert stored.reply.author == contact and stored.content_type == "image/png" and "现场" not in stored.file.name

    # the leader sees the reply and the file on the project, and was told in the notification centre
    client.force_login(leader)
    page = client.get(project.get_absolute_url()).content.decode()
    assert "已召开专题会议落实" in page and stored.get_absolute_url() in page
    note = Notification.objects.get(kind=instructions.REPLIED)
    assert note.recipient == leader and "已召开专题会议落实" in note.body and note.url == instruction.get_absolute_url()
    assert note.title in client.get(reverse("projects:notifications")).content.decode()
    response = client.get(stored.get_absolute_url())
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG

    # the contact cannot close it; the leader (or the secretariat) does
    client.force_login(contact)
    assert client.post(reverse("projects:instruction_done", args=[instruction.pk])).status_code == 404
    client.force_login(leader)
    assert client.post(reverse("projects:instruction_done", args=[instruction.pk])).status_code == 302
    instruction.refresh_from_db()
    assert (instruction.status, instruction.done_by) == (InstructionStatus.DONE, leader)
    # a done 批示 takes no more replies (a Chinese message, 400)
    response = reply(client, contact, instruction, "补充材料")
    assert response.status_code == 400 and "不再接受答复" in response.content.decode()
    assert InstructionReply.objects.count() == 1


def test_secretariat_writes_and_closes_an_instruction(client, people):
    assert write(client, people["secretariat"], people["a"]).status_code == 302
    instruction = Instruction.objects.get()
    assert client.post(reverse("projects:instruction_done", args=[instruction.pk])).status_code == 302
    instruction.refresh_from_db()
    assert instruction.status == InstructionStatus.DONE and instruction.done_by == people["secretariat"]


def test_contacts_cannot_write_instructions(client, people):
    for who in ("society1", "district1"):
        assert write(client, people[who], people["a"]).status_code == 404
    assert Instruction.objects.count() == 0


def test_outsiders_get_404_on_the_instruction_pages_and_the_reply_file(client, people):
    write(client, people["leader"], people["a"])
    instruction = Instruction.objects.get()
    reply(client, people["society1"], instruction, "答复", SimpleUploadedFile("方案.png", PNG))
    stored = InstructionFile.objects.get()
    urls = [instruction.get_absolute_url(), stored.get_absolute_url(), people["a"].get_absolute_url()]
    # a linked district reads it
    client.force_login(people["district1"])
    for url in urls:
        assert client.get(url).status_code == 200
    assert client.post(reverse("projects:instruction_reply", args=[instruction.pk]), {"text": "x"}).status_code == 404
    # another society's contact, a district not linked, an account without a society: 404 everywhere
    for who in ("society2", "district2", "nobody"):
        client.force_login(people[who])
        for url in urls:
            assert client.get(url).status_code == 404, (who, url)
        assert reply(client, people[who], instruction, "冒充答复").status_code == 404
        assert client.post(reverse("projects:instruction_done", args=[instruction.pk])).status_code == 404
        assert client.get(reverse("projects:instructions") + "?state=all").content.decode().count(
            instruction.get_absolute_url()) == 0
    assert InstructionReply.objects.count() == 1 and Instruction.objects.get().status == InstructionStatus.ANSWERED
    client.logout()
    assert client.get(stored.get_absolute_url()).status_code == 302


@pytest.mark.parametrize(("text", "deadline", "message"), [
    ("", None, "请先填写批示内容"),
    ("   ", None, "请先填写批示内容"),
    ("请落实", "yesterday", "答复期限不能早于今天"),
    ("请落实", "1999-12-31", "2000"),
    ("请落实", "2101-01-01", "2100"),
    ("请落实", "not-a-date", "有效的日期"),
])
def test_bad_instruction_is_refused_with_a_chinese_message(client, people, text, deadline, message):
    client.force_login(people["leader"])
    if deadline == "yesterday":
        deadline = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(reverse("projects:instruction_create", args=[people["a"].pk]),
                           {"text": text, "deadline": deadline or ""})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Instruction.objects.count() == 0 and Notification.objects.count() == 0


def test_bad_reply_is_refused_and_stores_nothing(client, people):
    write(client, people["leader"], people["a"])
    instruction = Instruction.objects.get()
    response = reply(client, people["society1"], instruction, "")
    assert response.status_code == 400 and "请先填写答复内容" in response.content.decode()
    response = reply(client, people["society1"], instruction, "答复", SimpleUploadedFile("照片.jpg", EXE))
    assert response.status_code == 400 and "内容与其文件类型不符" in response.content.decode()
    assert InstructionReply.objects.count() == 0 and InstructionFile.objects.count() == 0
    instruction.refresh_from_db()
    assert instruction.status == InstructionStatus.OPEN


def test_history_records_the_instruction_the_reply_and_done(client, people):
    write(client, people["leader"], people["a"], text="请本月完成")
    instruction = Instruction.objects.get()
    reply(client, people["society1"], instruction, "正在落实")
    client.force_login(people["secretariat"])
    client.post(reverse("projects:instruction_done", args=[instruction.pk]))
    page = client.get(people["a"].get_absolute_url()).content.decode()
    history = page[page.index('class="history"'):]
    assert "领导批示：请本月完成" in history and "答复批示：正在落实" in history
    assert "已办结" in history  # the state's change, old → new
    users = set(Instruction.history.values_list("history_user__pk", flat=True))
    assert users == {people["leader"].pk, people["society1"].pk, people["secretariat"].pk}


def test_dashboard_counts_link_to_the_list_by_state(client, people):
    today = timezone.localdate()
    leader = people["leader"]
    open_late = instructions.write_instruction(people["a"], user=leader, text="逾期未复", deadline=today)
    Instruction.objects.filter(pk=open_late.pk).update(deadline=today - timedelta(days=2))
    instructions.write_instruction(people["a"], user=leader, text="尚未答复")
    answered = instructions.write_instruction(people["b"], user=leader, text="已经答复")
    instructions.reply_to_instruction(answered, user=people["society2"], text="已落实")
    done = instructions.write_instruction(people["b"], user=leader, text="已经办结")
    instructions.mark_done(done, user=leader)
    assert instructions.counts(leader) == {"open": 2, "answered": 1, "overdue": 1, "done": 1}
    client.force_login(leader)
    page = client.get(reverse("reports:dashboard")).content.decode()
    assert "批示办理情况" in page
    for state, count in (("open", 2), ("answered", 1), ("overdue", 1)):
        assert '{}?state={}"><strong class="count-{}">{}</strong>'.format(
            reverse("projects:instructions"), state, state, count) in page
    listing = client.get(reverse("projects:instructions") + "?state=overdue").content.decode()
    assert "逾期未复" in listing and "尚未答复" not in listing and "已经答复" not in listing
    listing = client.get(reverse("projects:instructions") + "?state=answered").content.decode()
    assert "已经答复" in listing and "逾期未复" not in listing
    # a society's contact counts only its own projects' 批示
    assert instructions.counts(people["society2"]) == {"open": 0, "answered": 1, "overdue": 0, "done": 1}


def test_my_projects_shows_the_open_instructions_of_the_society(client, people):
    instruction = instructions.write_instruction(people["a"], user=people["leader"], text="请尽快答复此事")
    instructions.write_instruction(people["b"], user=people["leader"], text="别的学会的批示")
    client.force_login(people["society1"])
    page = client.get(reverse("projects:mine")).content.decode()
    assert "待答复的领导批示" in page and "请尽快答复此事" in page and "别的学会的批示" not in page
    instructions.mark_done(instruction, user=people["leader"])
    assert "请尽快答复此事" not in client.get(reverse("projects:mine")).content.decode()


def test_half_year_report_lists_the_instructions_of_the_half(people):
    instruction = instructions.write_instruction(people["a"], user=people["leader"], text="上半年批示")
    today = timezone.localdate()
    half = "{}H{}".format(today.year, 1 if today.month <= 6 else 2)
    title, header, rows = next(part for part in sections(collect(half)) if part[0] == "领导批示")
    assert header[-2:] == ["办理状态", "答复数"]
    assert rows == [[people["a"].title, "市老科协", "上半年批示", people["leader"].username, str(today), "",
                     "待答复", 0]]
    instructions.reply_to_instruction(instruction, user=people["society1"], text="已复")
    _t, _h, rows = next(part for part in sections(collect(half)) if part[0] == "领导批示")
    assert rows[0][-2:] == ["已答复", 1]


def _list_queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("projects:instructions") + "?state=all")
    assert response.status_code == 200
    return len(queries)


def test_instruction_list_queries_do_not_grow_with_the_rows(client, people):
    for _n in range(2):
        instructions.write_instruction(people["a"], user=people["leader"], text="批示")
    few = _list_queries(client, people["leader"])
    for n in range(20):
        project = factories.project(society=people["a"].society)
        instructions.write_instruction(project, user=people["secretariat"], text="批示{}".format(n))
    assert _list_queries(client, people["leader"]) == few


def test_project_page_queries_do_not_grow_with_the_instructions(client, people):
    def page_queries() -> int:
        client.force_login(people["leader"])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(people["a"].get_absolute_url()).status_code == 200
        return len(queries)

    first = instructions.write_instruction(people["a"], user=people["leader"], text="批示")
    instructions.reply_to_instruction(first, user=people["society1"], text="答复",
                                      files=[SimpleUploadedFile("a.png", PNG)])
    few = page_queries()
    for _n in range(5):
        more = instructions.write_instruction(people["a"], user=people["leader"], text="批示")
        instructions.reply_to_instruction(more, user=people["society1"], text="答复",
                                          files=[SimpleUploadedFile("a.png", PNG)])
    # the history reads a few more rows, not more queries
    assert page_queries() == few


def test_evaluation_rule_instructions_answered_on_time_counts_its_record_ids(people):
    from datetime import date, datetime

    from evaluation.choices import UnitKind
    from evaluation.rules import RULES

    leader, year = people["leader"], 2024
    tz = timezone.get_current_timezone()

    def instruction(project, deadline, answered=None):
        row = Instruction.objects.create(project=project, author=leader, text="批示", deadline=deadline)
        if answered:
            Instruction.objects.filter(pk=row.pk).update(
                status=InstructionStatus.ANSWERED, answered_at=datetime.combine(answered, datetime.min.time(), tz))
        return row

    on_time = instruction(people["a"], date(year, 5, 10), answered=date(year, 5, 10))
    late = instruction(people["a"], date(year, 5, 10), answered=date(year, 5, 11))
    never = instruction(people["a"], date(year, 6, 1))
    instruction(people["a"], date(year + 1, 1, 5), answered=date(year, 12, 1))  # deadline outside the year
    other = instruction(people["b"], date(year, 3, 1), answered=date(year, 2, 1))
    compute = RULES["instructions_on_time"].compute
    societies = compute(UnitKind.SOCIETY, date(year, 1, 1), date(year, 12, 31), today=date(year, 12, 31))
    s1, s2 = people["a"].society_id, people["b"].society_id
    assert societies[s1] == (33.33, sorted([on_time.pk, late.pk, never.pk]))
    assert societies[s2] == (100.0, [other.pk])
    for value, ids in societies.values():  # the value is an aggregate over its record_ids
        rows = Instruction.objects.filter(pk__in=ids)
        answered = sum(1 for row in rows if row.answered_at and timezone.localtime(row.answered_at).date()
                       <= row.deadline)
        assert value == round(100 * answered / len(ids), 2)
    districts = compute(UnitKind.DISTRICT, date(year, 1, 1), date(year, 12, 31), today=date(year, 12, 31))
    assert districts[people["a"].district_list[0].pk][1] == sorted([on_time.pk, late.pk, never.pk])
    # up to today: a deadline still ahead is not counted yet
    early = compute(UnitKind.SOCIETY, date(year, 1, 1), date(year, 12, 31), today=date(year, 5, 20))
    assert early[s1] == (50.0, sorted([on_time.pk, late.pk]))
