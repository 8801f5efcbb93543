"""Corrections and requests on a project's page: a progress update edited or deleted by its author within 24
hours (``projects.updates``), an outcome corrected and so submitted again (``projects.outcomes``), and the
secretariat's answer to a cancellation request (``projects.cancellation``). Thin views; outsiders get 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import cancellation, updates
from .access import can_manage, get_project_or_404
from .forms import DecisionForm, OutcomeForm, UpdateEditForm
from .models import ActivityOutcome, ProgressUpdate
from .outcomes import can_correct, record_outcome


def _refused(request, reason: str, back: str, *, status: int):
    """A refused correction or decision: the reason in Chinese, the status code, nothing changed."""
    return render(request, "action_refused.html", {"reason": reason, "back": back}, status=status)


def _update_or_404(request, pk: int) -> ProgressUpdate:
    return get_object_or_404(ProgressUpdate.objects.for_user(request.user).select_related("project"), pk=pk)


@login_required
def update_edit(request, pk: int):
    """The author corrects their progress update within 24 hours (403 with the reason after that)."""
    update = _update_or_404(request, pk)
    back = update.project.get_absolute_url()
    if not updates.can_correct(request.user, update):
        return _refused(request, _("A progress update can be changed or deleted only by its author within 24 hours "
                                   "of posting; this one is now fixed."), back, status=403)
    form = UpdateEditForm(request.POST or None, initial={"happened_on": update.happened_on, "text": update.text,
                                                         "link": update.link})
    if request.method == "POST" and form.is_valid():
        try:
            updates.edit_update(update, user=request.user, **form.cleaned_data)
        except updates.UpdateFixed as refused:
            return _refused(request, str(refused), back, status=403)
        messages.success(request, _("The progress update was changed; the history keeps the old text."))
        return redirect(back)
    return render(request, "projects/progressupdate_edit.html", {"update": update, "project": update.project,
                                                                "form": form}, status=400 if form.errors else 200)


@login_required
@require_POST
def update_delete(request, pk: int):
    """The author deletes their progress update within 24 hours (403 with the reason after that)."""
    update = _update_or_404(request, pk)
    back = update.project.get_absolute_url()
    try:
        updates.delete_update(update, user=request.user)
    except updates.UpdateFixed as refused:
        return _refused(request, str(refused), back, status=403)
    messages.success(request, _("The progress update was deleted; the history keeps its text."))
    return redirect(back)


@login_required
def outcome_edit(request, pk: int):
    """Correct an outcome (whoever entered it, until it is confirmed; the secretariat always): saved, it waits for
    confirmation again."""
    outcome = get_object_or_404(ActivityOutcome.objects.for_user(request.user).select_related("project__society"),
                                pk=pk)
    if not can_correct(request.user, outcome):
        raise Http404
    project = outcome.project
    form = OutcomeForm(request.POST or None, request.FILES or None, user=request.user, instance=outcome)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        links = {name: data.pop(name) for name in ("experts", "industries", "upper_units", "files")}
        record_outcome(project, user=request.user, fields=data, outcome=outcome, **links)
        messages.success(request, _("The outcome was corrected.") if can_manage(request.user) else _(
            "The outcome was corrected; it waits for the secretariat's confirmation again."))
        return redirect(outcome)
    return render(request, "projects/activityoutcome_form.html", {"project": project, "form": form,
                                                                 "outcome": outcome},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def cancel_decide(request, pk: int):
    """Secretariat: approve a contact's request to cancel the project, or refuse it with a reason (others: 404)."""
    project = get_project_or_404(request.user, pk)
    if not can_manage(request.user):
        raise Http404
    form = DecisionForm(request.POST)
    target = request.POST.get("next", "")
    back = target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else ""
    if not form.is_valid():
        return _refused(request, " ".join(e for errors in form.errors.values() for e in errors),
                        project.get_absolute_url(), status=400)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        cancellation.decide_cancel(project, user=request.user, approve=approve, reason=form.cleaned_data["reason"])
    except cancellation.CancelRefused as refused:
        return _refused(request, str(refused), project.get_absolute_url(), status=400)
    messages.success(request, _("The cancellation was approved.") if approve else _(
        "The cancellation was refused; whoever asked was told the reason."))
    return redirect(back or project)
