"""Progress updates with attachments: checked by content, stored privately, served only through the access check."""

import io
import zipfile
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from projects.models import Attachment, ProgressUpdate

pytestmark = pytest.mark.django_db

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 100


def docx_bytes(part="word/document.xml") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr(part, "<document/>")
    return out.getvalue()


def post(client, project, *files, text="完成首场活动", happened_on=None):
    data = {"happened_on": (happened_on or timezone.localdate()).isoformat(), "text": text, "link": ""}
    if files:
        data["files"] = list(files)
    return client.post(reverse("projects:update_post", args=[project.pk]), data)


def test_update_with_photo_pdf_and_word_is_stored_and_served_to_who_may_see(client, world):
    client.force_login(world["society1"])
    response = post(client, world["a"], SimpleUploadedFile("现场.PNG", PNG), SimpleUploadedFile("方案.pdf", PDF),
                    SimpleUploadedFile("总结.docx", docx_bytes()))
    assert response.status_code == 302
    update = ProgressUpdate.objects.get(project=world["a"])
    assert update.author == world["society1"]
    kinds = {a.original_name: a.content_type for a in update.attachments.all()}
    assert kinds == {"现场.PNG": "image/png", "方案.pdf": "application/pdf",
                     "总结.docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
    photo = update.attachments.get(original_name="现场.PNG")
    assert "现场" not in photo.file.name  # the stored name is random
    for who in ("society1", "society1_colleague", "district1", "leader", "secretariat"):
        client.force_login(world[who])
        response = client.get(reverse("projects:attachment", args=[photo.pk]))
        assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    for who in ("society2", "nobody"):
        client.force_login(world[who])
        assert client.get(reverse("projects:attachment", args=[photo.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("projects:attachment", args=[photo.pk])).status_code == 302


def test_update_page_shows_the_update_and_the_history(client, world):
    client.force_login(world["society1"])
    post(client, world["a"], SimpleUploadedFile("现场.png", PNG))
    page = client.get(reverse("projects:detail", args=[world["a"].pk])).content.decode()
    assert "完成首场活动" in page
    assert reverse("projects:attachment", args=[Attachment.objects.get().pk]) in page
    assert "附件：现场.png" in page and "进展：完成首场活动" in page


@pytest.mark.parametrize(("name", "content", "message"), [
    ("照片.jpg", EXE, "内容与其文件类型不符"),
    ("program.exe", EXE, "不是允许的文件类型"),
    ("假文档.docx", docx_bytes("xl/workbook.xml"), "内容与其文件类型不符"),
    ("坏压缩.xlsx", b"PK\x03\x04garbage", "内容与其文件类型不符"),
    ("空.pdf", b"", "空文件"),
])
def test_update_with_a_disguised_or_bad_file_stores_nothing(client, world, name, content, message):
    client.force_login(world["society1"])
    response = post(client, world["a"], SimpleUploadedFile("好.png", PNG), SimpleUploadedFile(name, content))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ProgressUpdate.objects.exists() and not Attachment.objects.exists()


def test_update_with_an_oversized_file_stores_nothing(client, world, settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    client.force_login(world["society1"])
    response = post(client, world["a"], SimpleUploadedFile("大.pdf", PDF + b"0" * (1024 * 1024)))
    assert response.status_code == 400 and "超过 1 MB" in response.content.decode()
    assert not ProgressUpdate.objects.exists()
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(path.is_file() for path in media.rglob("*"))


@pytest.mark.parametrize("happened_on", ["2024-02-30", "yesterday", ""])
def test_update_with_a_malformed_date_is_refused(client, world, happened_on):
    client.force_login(world["society1"])
    data = {"happened_on": happened_on, "text": "进展"}
    response = client.post(reverse("projects:update_post", args=[world["a"].pk]), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "有效的日期" in page or "这个字段是必填项" in page
    assert not ProgressUpdate.objects.exists()


def test_update_in_the_future_is_refused(client, world):
    client.force_login(world["society1"])
    response = post(client, world["a"], happened_on=timezone.localdate() + timedelta(days=2))
    assert response.status_code == 400 and "日期不能晚于今天" in response.content.decode()


@pytest.mark.parametrize("who", ["society2", "district1", "leader", "nobody"])
def test_update_post_of_another_society_is_not_found(client, world, who):
    client.force_login(world[who])
    assert post(client, world["a"]).status_code == 404
    assert not ProgressUpdate.objects.exists()


def test_first_update_moves_a_planned_project_in_progress(client, world):
    client.force_login(world["society1"])
    post(client, world["a"], happened_on=date(2024, 5, 2))
    world["a"].refresh_from_db()
    assert world["a"].status == "in_progress"


def test_attachment_unknown_id_is_not_found(client, world):
    client.force_login(world["secretariat"])
    assert client.get("/projects/attachments/424242/").status_code == 404


def test_update_with_too_many_files_stores_nothing(client, world):
    client.force_login(world["society1"])
    files = [SimpleUploadedFile("现场{}.png".format(n), PNG) for n in range(21)]
    response = post(client, world["a"], *files)
    assert response.status_code == 400 and "一次最多上传 20 个文件" in response.content.decode()
    assert not ProgressUpdate.objects.exists() and not Attachment.objects.exists()


def test_behind_nginx_files_go_out_by_x_accel_redirect_after_the_access_check(client, world, settings):
    settings.MEDIA_ACCEL_REDIRECT = "/_private/"
    client.force_login(world["society1"])
    assert post(client, world["a"], SimpleUploadedFile("现场.PNG", PNG),
                SimpleUploadedFile("总结.docx", docx_bytes())).status_code == 302
    photo = Attachment.objects.get(original_name="现场.PNG")
    response = client.get(reverse("projects:attachment", args=[photo.pk]))
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == "/_private/" + photo.file.name
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    word = Attachment.objects.get(original_name="总结.docx")
    assert client.get(reverse("projects:attachment", args=[word.pk]))["Content-Disposition"].startswith("attachment")
    client.force_login(world["society2"])
    response = client.get(reverse("projects:attachment", args=[photo.pk]))
    assert response.status_code == 404 and "X-Accel-Redirect" not in response
    photo.file.storage.delete(photo.file.name)
    client.force_login(world["society1"])
    assert client.get(reverse("projects:attachment", args=[photo.pk])).status_code == 404
