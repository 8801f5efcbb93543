"""Pages of leadership's instructions (领导批示): write one on a project, reply with files (phone-friendly), mark it
done, the list by state, the reply files behind the access check; and the panels on the project page and on
"my projects". Thin: every row through ``for_user`` (an outsider gets 404), every change through
``projects.instructions``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from sanlian.files import private_file_response
from sanlian.paging import paginate
from sanlian.uploads import UploadRefused

from . import instructions
from .access import can_instruct, can_reply, get_project_or_404
from .forms import InstructionForm, InstructionReplyForm
from .models import Instruction, InstructionFile, InstructionStatus, Project

LIST_PAGE_SIZE = 30


def _errors(form) -> str:
    return " ".join(message for errors in form.errors.values() for message in errors)


def _cards(user, rows) -> list[dict]:
    """Each 批示 with what ``user`` may do on it: reply (its society's contacts) and mark done (leader, secretariat)."""
    instructing = can_instruct(user)
    cards = []
    for instruction in rows:
        open_ = instruction.status != InstructionStatus.DONE
        replying = open_ and can_reply(user, instruction.project)
        cards.append({"instruction": instruction, "can_close": open_ and instructing,
                      "reply_form": InstructionReplyForm(auto_id="id_reply{}_%s".format(instruction.pk))
                      if replying else None})
    return cards


def project_panel(*, user, project: Project, **_context) -> dict:
    """The project page's section: its 批示 with replies, the reply form and the form for a new one."""
    rows = instructions.with_replies(instructions.listed(user).filter(project=project))
    return {"template": "projects/_instructions.html", "order": 10, "project": project,
            "cards": _cards(user, rows), "today": timezone.localdate(),
            "form": InstructionForm(auto_id="id_instruction_%s") if can_instruct(user) else None}


def mine_panel(*, user, **_context) -> dict | None:
    """"My projects": the 批示 still open or answered on the user's projects (a society's or a district's)."""
    rows = list(instructions.listed(user).pending().order_by("deadline", "created_at")[:50])
    if not rows:
        return None
    return {"template": "projects/_instructions_mine.html", "order": 5, "instructions": rows,
            "today": timezone.localdate()}


def _refused(request, project: Project, form, template: str, instruction=None):
    """Bad input: the form again with its Chinese messages, status 400, nothing stored."""
    messages.error(request, _errors(form))
    return render(request, template, {"project": project, "form": form, "instruction": instruction}, status=400)


@login_required
@require_POST
def instruction_create(request, pk: int):
    """Leadership or secretariat: a 批示 on the project (others: 404)."""
    project = get_project_or_404(request.user, pk)
    if not can_instruct(request.user):
        raise Http404
    form = InstructionForm(request.POST)
    if not form.is_valid():
        return _refused(request, project, form, "projects/instruction_form.html")
    instructions.write_instruction(project, user=request.user, text=form.cleaned_data["text"],
                                   deadline=form.cleaned_data["deadline"])
    messages.success(request, _("The instruction was sent to the society and the secretariat."))
    return redirect(project.get_absolute_url() + "#instructions")


def _instruction_or_404(user, pk) -> Instruction:
    return get_object_or_404(instructions.listed(user), pk=pk)


@login_required
@require_GET
def instruction_detail(request, pk: int):
    instruction = _instruction_or_404(request.user, pk)
    rows = instructions.with_replies(instructions.listed(request.user).filter(pk=instruction.pk))
    return render(request, "projects/instruction_detail.html", {
        "instruction": instruction, "project": instruction.project, "cards": _cards(request.user, rows),
        "today": timezone.localdate()})


@login_required
@require_POST
def instruction_reply(request, pk: int):
    """The society's reply with files; nothing is stored unless every file passes the checks."""
    instruction = _instruction_or_404(request.user, pk)
    project = instruction.project
    if not can_reply(request.user, project):
        raise Http404
    form = InstructionReplyForm(request.POST, request.FILES)
    if instruction.status == InstructionStatus.DONE:
        form.add_error(None, _("This instruction is done; it takes no more replies."))
    if not form.is_valid():
        return _refused(request, project, form, "projects/instruction_reply_form.html", instruction)
    try:
        instructions.reply_to_instruction(instruction, user=request.user, text=form.cleaned_data["text"],
                                          files=form.cleaned_data["files"])
    except UploadRefused as refused:
        form.add_error("files", str(refused))
        return _refused(request, project, form, "projects/instruction_reply_form.html", instruction)
    except ValueError:  # marked done by someone else a moment ago
        form.add_error(None, _("This instruction is done; it takes no more replies."))
        return _refused(request, project, form, "projects/instruction_reply_form.html", instruction)
    messages.success(request, _("Your reply was sent to the leadership."))
    return redirect(project.get_absolute_url() + "#instructions")


@login_required
@require_POST
def instruction_done(request, pk: int):
    """Leadership or secretariat: mark the 批示 done (others: 404)."""
    instruction = _instruction_or_404(request.user, pk)
    if not can_instruct(request.user):
        raise Http404
    instructions.mark_done(instruction, user=request.user)
    messages.success(request, _("The instruction was marked done."))
    return redirect(instruction.project.get_absolute_url() + "#instructions")


@login_required
@require_GET
def instruction_file(request, pk: int):
    """A file of a reply, only to users who may see its project (otherwise 404)."""
    stored = get_object_or_404(InstructionFile.objects.for_user(request.user), pk=pk)
    return private_file_response(stored.file, filename=stored.original_name, content_type=stored.content_type)


STATE_LABELS = {"pending": gettext_lazy("Open or answered"), "open": gettext_lazy("Awaiting a reply"),
                "answered": gettext_lazy("Answered"), "overdue": gettext_lazy("Overdue"),
                "done": gettext_lazy("Done and closed"), "all": gettext_lazy("All")}


@login_required
@require_GET
def instruction_list(request):
    """The 批示 the user may see, filtered by state (open, answered, overdue, done, all), a page at a time."""
    today = timezone.localdate()
    state = request.GET.get("state", "pending")
    state = state if state in instructions.STATES else "pending"
    rows = instructions.in_state(instructions.listed(request.user), state, today).order_by("-created_at", "-id")
    listing = paginate(request, rows, LIST_PAGE_SIZE)
    return render(request, "projects/instruction_list.html", {
        "instructions": listing.rows, "state": state, "today": today,
        "states": [(key, STATE_LABELS[key]) for key in ("pending", "open", "answered", "overdue", "done", "all")],
        "counts": instructions.counts(request.user, today=today), **listing.context()})
