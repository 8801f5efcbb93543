"""Leadership's instructions (领导批示): a leader (or the secretariat) writes one on a project, the society's
contacts reply with text and files, and the leader or the secretariat marks it done.

Every step is kept in the history (django-simple-history records of ``Instruction`` and ``InstructionReply``,
read back by ``projects.history``) and told through ``projects.notifications``: a new 批示 to the society's contacts
and the secretariat, a reply to the leader who wrote it.
"""

from datetime import date

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.utils import timezone, translation
from django.utils.translation import gettext

from sanlian.uploads import check_uploads, files_with_transaction, store_uploads
from societies.access import users_with_role
from societies.choices import Role

from .choices import NotificationLevel
from .models import Instruction, InstructionFile, InstructionReply, InstructionStatus, Project
from .notifications import merge, message_for, people, send_batch

WRITTEN = "instruction"
REPLIED = "instruction_reply"
DONE = "instruction_done"
TEXT_MAX = 5000


def _who(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user is not None else gettext("the system")


def _society_accounts(project: Project):
    return User.objects.filter(is_active=True, groups__name=Role.SOCIETY,
                               profile__society=project.society_id).order_by("pk")


def _tell(recipients, *, kind: str, level: str, title: str, body: str, url: str) -> dict:
    return send_batch([(None, message_for(recipient, kind=kind, level=level, title=title, body=body, url=url))
                       for recipient in recipients])


def _clean_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValueError("an instruction or reply needs a text")
    return text[:TEXT_MAX]


def write_instruction(project: Project, *, user: User, text: str, deadline: date | None = None) -> Instruction:
    """Write a 批示 on ``project`` (history record by ``user``) and tell the society's contacts and the secretariat
    (in-app and e-mail; the writer is not told of their own 批示). ValueError on an empty text."""
    text = _clean_text(text)
    with transaction.atomic():
        instruction = Instruction(project=project, author=user, text=text, deadline=deadline)
        instruction._history_user = user
        instruction.save()
        recipients = [r for r in merge(people(_society_accounts(project)), people(users_with_role(Role.SECRETARIAT)))
                      if r.user is None or r.user.pk != user.pk]
        with translation.override(settings.LANGUAGE_CODE):
            title = gettext("Leadership instruction on {title}").format(title=project.title)
            body = gettext("{who} wrote an instruction on the project “{title}” ({society}):\n{text}").format(
                who=_who(user), title=project.title, society=project.society.name, text=text)
            if deadline:
                body += "\n" + gettext("Please reply by {date}.").format(date=deadline.isoformat())
        _tell(recipients, kind=WRITTEN, level=NotificationLevel.ORANGE, title=title, body=body,
              url=instruction.get_absolute_url())
    return instruction


def reply_to_instruction(instruction: Instruction, *, user: User, text: str, files=()) -> InstructionReply:
    """The society's reply with its files: the 批示 becomes answered (if open) and the leader who wrote it is told.
    Every file is checked first; if one is refused (``UploadRefused``) nothing is stored. ValueError on an empty
    text or a 批示 already done."""
    text = _clean_text(text)
    if instruction.status == InstructionStatus.DONE:
        raise ValueError("the instruction is done")
    checked = check_uploads(files)
    with files_with_transaction() as stored:
        reply = InstructionReply(instruction=instruction, author=user, text=text)
        reply._history_user = user
        reply.save()
        store_uploads(InstructionFile, checked, stored, reply=reply, uploaded_by=user)
        if instruction.status == InstructionStatus.OPEN:
            instruction.status = InstructionStatus.ANSWERED
            instruction.answered_at = reply.created_at
            instruction._history_user = user
            instruction.save(update_fields=["status", "answered_at"])
        author = instruction.author
        recipients = people([author]) if author is not None and author.is_active else people(
            users_with_role(Role.LEADER))
        project = instruction.project
        with translation.override(settings.LANGUAGE_CODE):
            title = gettext("Reply to your instruction on {title}").format(title=project.title)
            body = gettext("{who} ({society}) replied to the instruction “{instruction}”:\n{text}").format(
                who=_who(user), society=project.society.name, instruction=instruction.text[:80], text=text)
            if checked:
                body += "\n" + gettext("Files: {count}").format(count=len(checked))
        _tell([r for r in recipients if r.user is None or r.user.pk != user.pk], kind=REPLIED,
              level=NotificationLevel.INFO, title=title, body=body, url=instruction.get_absolute_url())
    return reply


def mark_done(instruction: Instruction, *, user: User) -> Instruction:
    """Close a 批示 (the leader or the secretariat): done, by whom and when, in the history; the society's contacts
    are told. A no-op when it is done already."""
    if instruction.status == InstructionStatus.DONE:
        return instruction
    with transaction.atomic():
        instruction.status, instruction.done_by, instruction.done_at = InstructionStatus.DONE, user, timezone.now()
        instruction._history_user = user
        instruction.save(update_fields=["status", "done_by", "done_at"])
        project = instruction.project
        with translation.override(settings.LANGUAGE_CODE):
            title = gettext("Instruction done: {title}").format(title=project.title)
            body = gettext("{who} marked the instruction “{instruction}” done.").format(
                who=_who(user), instruction=instruction.text[:80])
        _tell([r for r in people(_society_accounts(project)) if r.user.pk != user.pk], kind=DONE,
              level=NotificationLevel.INFO, title=title, body=body, url=instruction.get_absolute_url())
    return instruction


# --- reading ------------------------------------------------------------------------------------------------------

STATES = ("open", "answered", "overdue", "done", "pending", "all")


def listed(user: User):
    """The 批示 ``user`` may see with their project, society and author, for lists (a fixed number of queries)."""
    return Instruction.objects.for_user(user).select_related("project__society", "author", "done_by")


def in_state(rows, state: str, today: date):
    """Rows of one state: open, answered, overdue (open past the deadline), done, pending (open or answered)."""
    if state == "overdue":
        return rows.overdue(today)
    if state == "pending":
        return rows.pending()
    if state in (InstructionStatus.OPEN, InstructionStatus.ANSWERED, InstructionStatus.DONE):
        return rows.filter(status=state)
    return rows


def counts(user: User, *, today: date | None = None) -> dict:
    """How many of the 批示 ``user`` may see are open, answered, overdue and done (one query)."""
    today = today or timezone.localdate()
    return Instruction.objects.for_user(user).aggregate(
        open=Count("pk", filter=Q(status=InstructionStatus.OPEN)),
        answered=Count("pk", filter=Q(status=InstructionStatus.ANSWERED)),
        overdue=Count("pk", filter=Q(status=InstructionStatus.OPEN, deadline__lt=today)),
        done=Count("pk", filter=Q(status=InstructionStatus.DONE)),
    )


def with_replies(rows):
    """Rows with their replies, the replies' authors and files prefetched (three queries whatever the number)."""
    return rows.prefetch_related(Prefetch("replies", InstructionReply.objects.select_related("author")
                                          .prefetch_related("files")))


def of_half(start: date, end: date, *, user) -> list[Instruction]:
    """The 批示 written in a period (the half-yearly report's section), oldest first."""
    return list(listed(user).filter(created_at__date__gte=start, created_at__date__lte=end)
                .annotate(reply_count=Count("replies")).order_by("created_at", "id"))
