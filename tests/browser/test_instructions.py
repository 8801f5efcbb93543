"""领导批示 in Chromium: the leader writes one at a desk, the society contact replies with a photo on a phone, the
leader reads the reply in the notification centre, marks it done and sees the dashboard's counts."""

import pytest

from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


def test_leader_instructs_society_replies_on_a_phone_leader_closes(open_page, demo, settings, live_server, tmp_path):
    from django.utils import timezone

    from projects.models import Instruction, InstructionFile
    from societies.models import Society
    from tests import factories

    settings.SITE_URL = live_server.url
    project = factories.project(society=Society.objects.get(name="市老科协"), title="老专家服务企业",
                                year=timezone.localdate().year)
    leader = open_page(allow_statuses=(400,))
    leader.login("leader", demo)
    leader.goto(project.get_absolute_url())
    leader.page.fill("#instruction-form textarea[name=text]", "   ")  # blank: refused with a Chinese message
    leader.submit("#instruction-form button[type=submit]")
    assert "请先填写批示内容" in leader.page.inner_text("main")
    leader.page.fill("#instruction-form textarea[name=text]", "请月底前报送服务企业清单")
    leader.submit("#instruction-form button[type=submit]")
    assert "批示已发送给学会和学会部" in leader.page.inner_text("main")
    instruction = Instruction.objects.get()

    phone = open_page(viewport=PHONE)
    phone.login("society", demo)
    phone.goto("/projects/mine/")
    assert "待答复的领导批示" in phone.page.inner_text("main")
    phone.submit("#open-instructions a.card-title")
    card = "#instruction-{}".format(instruction.pk)
    phone.page.fill(card + " textarea[name=text]", "已走访企业12家，清单见附件")
    photo = tmp_path / "清单.png"
    photo.write_bytes(PNG)
    phone.page.set_input_files(card + " input[name=files]", str(photo))
    phone.submit(card + " .reply-form button[type=submit]")
    assert "答复已报送领导" in phone.page.inner_text("main")
    assert "已走访企业12家" in phone.page.inner_text(card)

    leader.goto("/projects/notifications/")
    assert "批示答复：老专家服务企业" in leader.page.inner_text("main")
    leader.goto(project.get_absolute_url())
    assert leader.page.locator(card + " img.thumb").count() == 1
    assert InstructionFile.objects.get().original_name == "清单.png"
    leader.submit(card + " form.inline-form button[type=submit]")
    assert "批示已标记为办结" in leader.page.inner_text("main")
    leader.goto("/reports/dashboard/")
    assert "批示办理情况" in leader.page.inner_text("main")
    leader.submit("#instruction-counts a[href$='state=done']")
    assert "请月底前报送服务企业清单" in leader.page.inner_text("main")
