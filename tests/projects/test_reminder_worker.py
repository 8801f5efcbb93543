"""The reminders through the real stack: a Celery worker process on Redis, the file e-mail backend, a shared
database. Skipped off CI without Redis; under CI they must run (see the ``redis_url`` fixture)."""

import re
import shutil
import subprocess
from datetime import date, timedelta

import pytest
from django.urls import reverse

from conftest import CI
from projects.choices import DeliveryState
from projects.models import Notification, ReminderLedger, ReminderPolicy, ReminderRun
from projects.notifications import notify
from projects.reminders import local_today
from projects.tasks import task_catch_up_reminders, task_send_reminders
from sanlian.celery import ping
from tests import factories

from .conftest import free_port, point_celery_at, reminded_project, wait_for

pytestmark = [pytest.mark.celery, pytest.mark.redis]
DAY = date(2024, 5, 24)  # seven days before the due window of the projects below ends


def message_ids(mails: list[str]) -> list[str]:
    return [re.search(r"^Message-ID: (.+)$", mail, re.M).group(1).strip() for mail in mails]


def settled(stack, expected: int):
    """True once no e-mail is pending and exactly ``expected`` messages are in the mail folder."""
    pending = Notification.objects.filter(email_state=DeliveryState.PENDING).count()
    return pending == 0 and len(stack.mails()) >= expected


def test_worker_runs_the_ping_task(stack):
    stack.start_worker()
    ping.delay()
    wait_for(lambda: re.search(r"Task sanlian\.ping\[[0-9a-f-]+\] succeeded in [0-9.e-]+s: 'pong'", stack.log_text()),
             message="the worker to run sanlian.ping")


def test_worker_sends_daily_reminders_once_when_two_beats_fire(stack, people):
    for _ in range(4):
        reminded_project(people, due_end=DAY + timedelta(days=7))
    stack.start_worker(concurrency=2)
    # Two beat processes firing the same day publish the same daily task twice; the worker runs them in parallel.
    task_send_reminders.delay(date_iso=DAY.isoformat())
    task_send_reminders.delay(date_iso=DAY.isoformat())
    wait_for(lambda: ReminderRun.objects.filter(date=DAY, runs=2).exists(), message="both runs")
    # one message a day per person, listing the four projects: alice (e-mail), bob (in-app only), 王联系 (e-mail
    # only): 3 notifications, 2 e-mails; the ledger holds each (project, stage, recipient): 12 rows
    wait_for(lambda: settled(stack, 2), message="2 e-mails")
    mails = stack.mails()
    assert len(mails) == 2
    assert len(set(message_ids(mails))) == 2
    assert Notification.objects.count() == 3
    assert ReminderLedger.objects.count() == 12
    assert ReminderLedger.objects.filter(notification__email_state=DeliveryState.SENT).count() == 8
    assert sorted(n.email for n in Notification.objects.filter(email_state=DeliveryState.SENT)) == [
        "alice@example.org", "wang@example.org"]
    assert "还有7天到期" in mails[0] and "/projects/" in mails[0]  # in Chinese, with the links
    # A third run the same day sends nothing.
    task_send_reminders.delay(date_iso=DAY.isoformat())
    wait_for(lambda: ReminderRun.objects.filter(date=DAY, runs=3).exists(), message="the third run")
    assert len(stack.mails()) == 2
    assert Notification.objects.count() == 3


def test_worker_killed_mid_batch_resends_at_most_one_persons_message(stack, people):
    for number in range(5):
        project = reminded_project(people, due_end=DAY + timedelta(days=7))
        project.contacts.add(factories.contact("联系人{}".format(number), email="p{}@example.org".format(number)))
    # 8 people, one message each: alice, 王联系 and the five project contacts by e-mail (7), bob in-app only
    stack.gate.write_text("3")  # the worker blocks before its fourth e-mail, inside the delivery transaction
    worker = stack.start_worker()
    task_send_reminders.delay(date_iso=DAY.isoformat())
    wait_for(lambda: len(stack.mails()) == 3, message="three e-mails before the kill")
    wait_for(lambda: "mid-batch" if Notification.objects.filter(email_state=DeliveryState.PENDING).count() == 4 else "",
             message="four still pending")
    stack.kill(worker)  # SIGKILL to the worker's process group, mid-batch
    stack.gate.unlink()
    assert Notification.objects.filter(email_state=DeliveryState.SENT).count() == 3
    stack.start_worker()  # on start it re-drives the deliveries left pending
    wait_for(lambda: settled(stack, 7), message="all seven e-mails after the restart")
    mails = stack.mails()
    ids = message_ids(mails)
    assert len(set(ids)) == 7  # every person's message arrived
    assert len(mails) - len(set(ids)) <= 1  # at most one person's message again, under the same Message-ID
    assert Notification.objects.filter(email_state=DeliveryState.SENT).count() == 7
    assert (Notification.objects.count(), ReminderLedger.objects.count()) == (8, 20)


class OwnRedis:
    """A Redis server of this test alone (never the shared one on 6379), so it can be stopped and started."""

    def __init__(self, tmp_path):
        self.port = free_port()
        self.url = "redis://127.0.0.1:{}/0".format(self.port)
        self.command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                        "--appendonly", "no", "--dir", str(tmp_path)]
        self.server = None

    def start(self) -> None:
        self.server = subprocess.Popen(self.command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: _answers(self.port), timeout=20, message="redis-server to listen")

    def stop(self) -> None:
        if self.server is not None and self.server.poll() is None:
            self.server.kill()
            self.server.wait(timeout=10)


@pytest.fixture
def own_redis(tmp_path):
    if shutil.which("redis-server") is None:
        if CI:
            pytest.fail("redis-server is needed under CI to stop and restart a Redis of the test's own")
        pytest.skip("redis-server is not installed: this test stops and restarts a Redis of its own")
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()


def _answers(port: int) -> bool:
    import redis

    try:
        return redis.Redis(port=port, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


def test_redis_down_keeps_the_web_up_and_the_job_catches_up(stack, people, own_redis, client):
    stack.broker_url = own_redis.url
    point_celery_at(own_redis.url)
    today = local_today()
    policy = ReminderPolicy.current()
    policy.send_time = policy.send_time.replace(hour=0, minute=0)
    policy.digest_weekday = (today.weekday() + 1) % 7  # not today: the weekly digest would add two e-mails
    policy.save()
    reminded_project(people, due_end=today + timedelta(days=1))
    stack.start_worker()
    wait_for(lambda: "ready." in stack.log_text(), message="the worker to connect")
    own_redis.stop()

    client.force_login(people["alice"])
    assert client.get(reverse("projects:list")).status_code == 200
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (503, {"database": "ok", "broker": "down"})
    with pytest.raises(Exception):
        task_send_reminders.delay()  # the beat's daily message cannot be published: that run is lost
    # A page that notifies someone while the broker is down still answers; the e-mail waits as pending.
    note = notify(user=people["alice"], kind="test", title="会议通知", body="请参加", url="/")
    assert note.email_state == DeliveryState.PENDING

    own_redis.start()
    point_celery_at(own_redis.url)
    assert client.get("/healthz").status_code == 200
    task_catch_up_reminders.delay(stale_seconds=0)  # the beat's ten-minute catch-up entry
    # due tomorrow: alice and 王联系 get the 1-day reminder by e-mail, and alice the note sent while Redis was down
    wait_for(lambda: settled(stack, 3), timeout=90, message="the catch-up e-mails")
    assert len(stack.mails()) == 3
    assert ReminderRun.objects.filter(date=today).count() == 1


def test_two_real_beat_processes_firing_the_same_day_send_no_duplicates(stack, people):
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    for _ in range(4):
        reminded_project(people, due_end=DAY + timedelta(days=7))
    # The daily entry fires once a day; an entry every second for the same day lets two beats fire it within seconds.
    PeriodicTask.objects.create(
        name="test: reminders of {}".format(DAY), task="sanlian.projects.send_reminders",
        interval=IntervalSchedule.objects.create(every=1, period=IntervalSchedule.SECONDS),
        kwargs='{{"date_iso": "{}"}}'.format(DAY.isoformat()),
    )
    stack.start_worker(concurrency=2)
    beats = [stack.start_beat(), stack.start_beat()]
    wait_for(lambda: ReminderRun.objects.filter(date=DAY, runs__gte=4).exists(), timeout=90, message="four runs")
    for beat in beats:
        stack.kill(beat)
    wait_for(lambda: settled(stack, 2), message="2 e-mails")
    assert stack.log_text().count("Sending due task test: reminders of") >= 4
    mails = stack.mails()
    assert (len(mails), len(set(message_ids(mails)))) == (2, 2)
    assert (Notification.objects.count(), ReminderLedger.objects.count()) == (3, 12)
