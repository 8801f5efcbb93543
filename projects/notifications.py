"""Notifications and their delivery: the notification centre, e-mail, and the societies' group robots.

The one delivery path of the portal: every app that tells someone something (reminders, meeting invitations,
decision reminders …) writes ``Notification`` / ``WebhookDelivery`` rows here, optionally keyed in the
``ReminderLedger`` so each (subject, kind, step, target date, recipient) goes out once, and the rows are delivered
after commit by the Celery tasks ``sanlian.projects.deliver_notifications`` / ``deliver_webhooks`` (retried with
back-off; re-driven by the catch-up job when the broker was down).
"""

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext

from sanlian.queue import enqueue
from sanlian.site import absolute_url, site_host
from societies.models import Profile
from sanlian.webhooks import WebhookRefused, post_json

from .choices import DeliveryState, NotificationLevel
from .models import Notification, ReminderLedger, WebhookDelivery

logger = logging.getLogger(__name__)

EMAIL_MAX_ATTEMPTS = 5
WEBHOOK_MAX_ATTEMPTS = 5
WEBHOOK_TIMEOUT_SECONDS = 5
DELIVERY_CHUNK = 100  # notifications per delivery task: few broker messages, a small loss if a worker dies
BULK_BATCH = 4000  # rows per INSERT (under PostgreSQL's 65,535 parameters; SQLite: see sanlian/db.py)
DELIVER_EMAILS = "sanlian.projects.deliver_notifications"
DELIVER_WEBHOOKS = "sanlian.projects.deliver_webhooks"
KEY_FIELDS = ("subject_type", "subject_id", "kind", "step", "target_date", "recipient_key")


def recipient_key(user: User | None, email: str) -> str:
    """The recipient part of a ledger key: the account when there is one, else the e-mail address."""
    return "user:{}".format(user.pk) if user is not None else "email:{}".format(email.strip().lower())


@dataclass(frozen=True)
class Recipient:
    user: User | None
    email: str

    @cached_property
    def key(self) -> str:
        return recipient_key(self.user, self.email)


def people(users) -> list[Recipient]:
    """Accounts as recipients (their e-mail address, if any)."""
    return [Recipient(user, user.email.strip()) for user in users]


def merge(*groups: list[Recipient]) -> list[Recipient]:
    """Recipients without repeats: one account once, one address once."""
    seen, result = set(), []
    for recipient in (r for group in groups for r in group):
        marks = {recipient.key} | ({"email:" + recipient.email.lower()} if recipient.email else set())
        if marks & seen:
            continue
        seen |= marks
        result.append(recipient)
    return result


def message_for(recipient: Recipient, **fields) -> Notification:
    """An unsaved notification to ``recipient`` (e-mailed when the recipient has an address)."""
    fields["title"] = fields["title"][:300]
    return Notification(recipient=recipient.user, email=recipient.email,
                        email_state=DeliveryState.PENDING if recipient.email else DeliveryState.NONE, **fields)


def ledger_key(subject: models.Model | str, subject_id: int, kind: str, step: int, target: date,
               recipient: str) -> tuple:
    """The ledger key of one message: what it is about, which stage, and to whom."""
    label = subject if isinstance(subject, str) else subject._meta.label_lower
    return (label, subject_id, kind, step, target, recipient)


def queue_deliveries(notification_ids: list[int], webhook_ids: list[int]) -> None:
    """After the transaction that wrote the rows commits, queue their delivery in chunks."""

    def publish() -> None:
        for start in range(0, len(notification_ids), DELIVERY_CHUNK):
            enqueue(DELIVER_EMAILS, notification_ids=notification_ids[start:start + DELIVERY_CHUNK])
        for start in range(0, len(webhook_ids), DELIVERY_CHUNK):
            enqueue(DELIVER_WEBHOOKS, delivery_ids=webhook_ids[start:start + DELIVERY_CHUNK])

    if notification_ids or webhook_ids:
        transaction.on_commit(publish)


def existing_keys(keys: list[tuple]) -> set[tuple]:
    """The keys among ``keys`` already in the ledger, in one query (a date range, not one parameter per key)."""
    if not keys:
        return set()
    dates = [key[4] for key in keys]
    rows = ReminderLedger.objects.filter(
        subject_type__in={key[0] for key in keys}, target_date__gte=min(dates), target_date__lte=max(dates)
    ).values_list(*KEY_FIELDS)
    return set(rows) & set(keys)


def send_batch(notifications: list[tuple[tuple | None, Notification]],
               webhooks: list[tuple[tuple | None, WebhookDelivery]] = (), *, dry_run: bool = False) -> dict:
    """Write many messages at once: each keyed one that the ledger already holds is left out; the rest are
    bulk-written with their ledger rows (in the caller's transaction, or one of their own) and queued after commit.

    Returns ``{"notifications", "emails", "webhooks", "already_sent"}`` (what was, or with ``dry_run`` would be,
    written). A fixed number of queries whatever the number of messages.
    """
    taken = existing_keys([key for key, _row in [*notifications, *webhooks] if key is not None])
    new_people = [(key, row) for key, row in notifications if key is None or key not in taken]
    new_robots = [(key, row) for key, row in webhooks if key is None or key not in taken]
    counts = send_bundles([([key] if key else [], row) for key, row in new_people],
                          [([key] if key else [], row) for key, row in new_robots], dry_run=dry_run)
    counts.pop("items")
    return counts | {"already_sent": len(notifications) - len(new_people)}


def send_bundles(notifications: list[tuple[list[tuple], Notification]],
                 webhooks: list[tuple[list[tuple], WebhookDelivery]] = (), *, dry_run: bool = False) -> dict:
    """Write messages that each stand for several ledger keys (a person's daily message lists many items): the
    rows are bulk-written, each key's ledger row points at its message, and delivery is queued after commit.

    The caller has left out the keys the ledger already holds (``existing_keys``); a key written concurrently
    makes the unique constraint fail the whole transaction, so nothing is sent twice. Returns ``{"notifications",
    "emails", "webhooks", "items"}`` (``items``: ledger rows). A fixed number of queries.
    """
    counts = {"notifications": len(notifications), "emails": sum(1 for _keys, row in notifications if row.email),
              "webhooks": len(webhooks), "items": sum(len(keys) for keys, _row in [*notifications, *webhooks])}
    if dry_run:
        return counts
    with transaction.atomic():
        written = Notification.objects.bulk_create([row for _keys, row in notifications], batch_size=BULK_BATCH)
        hooks = WebhookDelivery.objects.bulk_create([row for _keys, row in webhooks], batch_size=BULK_BATCH)
        ReminderLedger.objects.bulk_create(
            [ReminderLedger(**dict(zip(KEY_FIELDS, key)), notification=row)
             for (keys, _unsaved), row in zip(notifications, written) for key in keys]
            + [ReminderLedger(**dict(zip(KEY_FIELDS, key)), webhook=row)
               for (keys, _unsaved), row in zip(webhooks, hooks) for key in keys],
            batch_size=BULK_BATCH,
        )
        queue_deliveries([row.pk for row in written if row.email], [row.pk for row in hooks])
    return counts


def notify(
    *,
    user: User | None = None,
    email: str | None = None,
    kind: str,
    title: str,
    body: str,
    url: str = "",
    level: str = NotificationLevel.INFO,
    subject: models.Model | None = None,
    target_date: date | None = None,
    step: int = 0,
    send_email: bool = True,
    calendar: str = "",
) -> Notification | None:
    """Notify one person: in the notification centre (``user``) and by e-mail (``email``, default the user's),
    with ``calendar`` (iCalendar text) attached to the e-mail when given.

    With ``subject`` (any saved model instance) and ``target_date`` the notification is sent at most once per
    (subject, kind, step, target date, recipient): the ledger row is written in the same transaction, and a repeat
    returns ``None``. Side effects: a Notification row, a ReminderLedger row with a subject, and after commit a
    Celery task that sends the e-mail. Raises ValueError when there is nobody to notify.
    """
    address = (getattr(user, "email", "") if email is None else email).strip() if send_email else ""
    if user is None and not address:
        raise ValueError("notify() needs a user or an e-mail address")
    if subject is not None and target_date is None:
        raise ValueError("notify() with a subject needs the target_date of its ledger key")
    with transaction.atomic():
        entry = None
        if subject is not None:
            try:
                with transaction.atomic():
                    entry = ReminderLedger.objects.create(**dict(zip(KEY_FIELDS, ledger_key(
                        subject, subject.pk, kind, step, target_date, recipient_key(user, address)))))
            except IntegrityError:
                return None
        notification = message_for(Recipient(user, address), kind=kind, level=level, title=title, body=body, url=url,
                                   calendar=calendar)
        notification.save()
        if entry is not None:
            entry.notification = notification
            entry.save(update_fields=["notification"])
        queue_deliveries([notification.pk] if address else [], [])
    return notification


def profile_of(user: User) -> Profile:
    """The user's profile, where the choice of reminder messages is kept (made for accounts without one)."""
    return Profile.objects.get_or_create(user=user)[0]


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count() if user.is_authenticated else 0


def mark_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications read, or all of them without an id. Returns how many changed."""
    queryset = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        queryset = queryset.filter(pk=notification_id)
    return queryset.update(read_at=timezone.now())


def _email_message(notification: Notification) -> EmailMultiAlternatives:
    context = {"notification": notification, "link": absolute_url(notification.url), "site_url": settings.SITE_URL}
    with translation.override(settings.LANGUAGE_CODE):
        subject = "[{}] {}".format(gettext("Sanlian Sancu"), notification.title)
        text = render_to_string("projects/email/notification.txt", context)
        html = render_to_string("projects/email/notification.html", context)
    # A stable Message-ID: in the one case a message can go out twice (see deliver_notification_email), mail
    # systems recognise the copy.
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=[notification.email],
        headers={"Message-ID": "<notification-{}@{}>".format(notification.pk, site_host())},
    )
    message.attach_alternative(html, "text/html")
    if notification.calendar:
        message.attach("invitation.ics", notification.calendar, "text/calendar; method=REQUEST; charset=utf-8")
    return message


def deliver_notification_email(*, notification_id: int) -> str:
    """Send a pending notification's e-mail once. Returns "sent", "skipped" (not pending), "retry" or "failed".

    The row is locked and checked, the message sent, and the row marked sent, all in one transaction: a redelivered
    task or a second worker waits for the lock and then finds it sent. A crash after the mail server accepted the
    message but before the commit leaves the row pending, so it is sent again: we choose a possible duplicate over a
    missed deadline reminder (the Message-ID is stable, so the copy is recognisable).
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update().filter(pk=notification_id, email_state=DeliveryState.PENDING).first()
        )
        if notification is None:
            return "skipped"
        notification.email_attempts += 1
        try:
            _email_message(notification).send()
        except Exception as exc:  # an SMTP or network error of any kind: record it and try again later
            notification.email_error = str(exc)[:2000]
            if notification.email_attempts >= EMAIL_MAX_ATTEMPTS:
                notification.email_state = DeliveryState.FAILED
            notification.save(update_fields=["email_attempts", "email_error", "email_state"])
            logger.warning("E-mail of notification %s failed (attempt %s): %s", notification_id,
                           notification.email_attempts, exc)
            return "failed" if notification.email_state == DeliveryState.FAILED else "retry"
        notification.email_state = DeliveryState.SENT
        notification.email_sent_at = timezone.now()
        notification.save(update_fields=["email_attempts", "email_state", "email_sent_at"])
    return "sent"


def deliver_notifications(*, notification_ids: list[int]) -> dict:
    """E-mail each pending notification once; those that failed are queued again in two minutes."""
    outcomes: dict[str, list[int]] = {}
    for notification_id in notification_ids:
        outcomes.setdefault(deliver_notification_email(notification_id=notification_id), []).append(notification_id)
    if outcomes.get("retry"):
        enqueue(DELIVER_EMAILS, countdown=120, notification_ids=outcomes["retry"])
    return {key: len(value) for key, value in outcomes.items()}


def webhook_backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min … after each failed attempt."""
    return timedelta(seconds=30 * 2 ** max(attempts - 1, 0))


def robot_payload(url: str, text: str, *, markdown: bool = False) -> dict:
    """The JSON a group robot takes: text, or markdown (WeCom: ``content``; DingTalk: ``title`` and ``text``)."""
    if not markdown:
        return {"msgtype": "text", "text": {"content": text}}
    if "dingtalk" in url:
        return {"msgtype": "markdown", "markdown": {"title": text.splitlines()[0].lstrip("# ")[:60], "text": text}}
    return {"msgtype": "markdown", "markdown": {"content": text}}


def _post_webhook(url: str, text: str, *, markdown: bool = False) -> None:
    """POST a message in the format both WeCom and DingTalk group robots accept; raise on any failure.
    The address is checked when sending (``sanlian.webhooks``: https to a public host, no redirects)."""
    payload = json.dumps(robot_payload(url, text, markdown=markdown), ensure_ascii=False).encode()
    answer = post_json(url, payload, timeout=WEBHOOK_TIMEOUT_SECONDS)
    try:
        errcode = json.loads(answer or b"{}").get("errcode", 0)
    except (ValueError, AttributeError):
        errcode = 0
    if errcode:
        raise WebhookRefused(gettext("The robot answered error code {}.").format(str(errcode)[:20]))


def deliver_webhook(*, delivery_id: int) -> tuple[str, int]:
    """Post one pending webhook message; on failure schedule the next attempt with back-off, and log it.

    Returns the outcome ("sent", "skipped", "retry", "failed") and the seconds until the next attempt.
    """
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .filter(pk=delivery_id, state=DeliveryState.PENDING, next_attempt_at__lte=timezone.now())
            .first()
        )
        if delivery is None:
            return "skipped", 0
        delivery.attempts += 1
        try:
            _post_webhook(delivery.url, delivery.text, markdown=delivery.markdown)
        except Exception as exc:  # network, HTTP or robot error: all are retried the same way
            delivery.last_error = str(exc)[:2000]
            wait = webhook_backoff(delivery.attempts)
            delivery.next_attempt_at = timezone.now() + wait
            if delivery.attempts >= WEBHOOK_MAX_ATTEMPTS:
                delivery.state = DeliveryState.FAILED
            delivery.save(update_fields=["attempts", "last_error", "next_attempt_at", "state"])
            logger.warning("Webhook %s of %s failed (attempt %s): %s", delivery_id, delivery.society, delivery.attempts,
                           exc)
            return ("failed", 0) if delivery.state == DeliveryState.FAILED else ("retry", int(wait.total_seconds()))
        delivery.state = DeliveryState.SENT
        delivery.sent_at = timezone.now()
        delivery.save(update_fields=["attempts", "state", "sent_at"])
    return "sent", 0


def deliver_webhooks(*, delivery_ids: list[int]) -> dict:
    """Post each pending webhook message; a failed one is queued again after its back-off."""
    outcomes: dict[str, int] = {}
    for delivery_id in delivery_ids:
        outcome, wait = deliver_webhook(delivery_id=delivery_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if outcome == "retry":
            enqueue(DELIVER_WEBHOOKS, countdown=wait, delivery_ids=[delivery_id])
    return outcomes


def redrive_pending(*, older_than: datetime | None = None, limit: int = 5000) -> int:
    """Queue again the deliveries still pending (a broker that was down, a worker that died); returns how many.

    Safe to repeat: the delivering task checks each row's state under a lock and sends only pending ones.
    """
    cutoff = older_than or timezone.now()
    ids = list(
        Notification.objects.filter(email_state=DeliveryState.PENDING, created_at__lte=cutoff)
        .order_by("pk").values_list("pk", flat=True)[:limit]
    )
    hooks = list(
        WebhookDelivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=timezone.now(),
                                       created_at__lte=cutoff).order_by("pk").values_list("pk", flat=True)[:limit]
    )
    for start in range(0, len(ids), DELIVERY_CHUNK):
        enqueue(DELIVER_EMAILS, notification_ids=ids[start:start + DELIVERY_CHUNK])
    for start in range(0, len(hooks), DELIVERY_CHUNK):
        enqueue(DELIVER_WEBHOOKS, delivery_ids=hooks[start:start + DELIVERY_CHUNK])
    return len(ids) + len(hooks)


@transaction.atomic
def retry_webhooks(*, delivery_ids: list[int]) -> int:
    """Put failed or waiting webhook deliveries back to pending, due now, and queue them; returns how many."""
    ids = list(WebhookDelivery.objects.filter(pk__in=delivery_ids).exclude(state=DeliveryState.SENT)
               .values_list("pk", flat=True))
    WebhookDelivery.objects.filter(pk__in=ids).update(state=DeliveryState.PENDING, next_attempt_at=timezone.now())
    queue_deliveries([], ids)
    return len(ids)
