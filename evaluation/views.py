"""Evaluation rounds, scores with drill-down, marks, publishing, documents, and commendations: thin views over
``evaluation.scoring``, ``evaluation.commendation`` and ``evaluation.documents``."""

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from societies.access import district_of, role_of, sees_everything, society_of

from . import commendation, documents, scoring
from .access import can_nominate, can_run, can_step
from .choices import NominationStep, UnitKind
from .forms import IndicatorFormSet, MarkForm, NominationForm, RoundForm
from .models import Nomination, Result, Round
from .rules import RULES

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _round(request, pk: int) -> Round:
    return get_object_or_404(Round.objects.for_user(request.user), pk=pk)


def _runner(request) -> None:
    if not can_run(request.user):
        raise Http404


def _scores(request, round_: Round) -> list[scoring.UnitScore]:
    """What the user may see of a round: every unit for secretariat and leadership, a contact's own unit only."""
    if round_.is_published:
        return scoring.unit_scores(round_, results=Result.objects.for_user(request.user).filter(round=round_))
    if not sees_everything(request.user):
        raise Http404
    return scoring.compute(round_)


@login_required
def round_list(request):
    if role_of(request.user) is None:
        raise Http404
    rounds = Round.objects.for_user(request.user)
    form = RoundForm(request.POST or None, initial={
        "half": 0, "evaluated": "both", "year": timezone.localdate().year - 1,
        "name": _("Evaluation of the “三联三促” joint work, {}").format(timezone.localdate().year - 1)})
    if request.method == "POST":
        _runner(request)
        if form.is_valid():
            data = form.cleaned_data
            made = scoring.create_round(name=data["name"], year=data["year"], half=data["half"],
                                        evaluated=data["evaluated"], user=request.user,
                                        grades=(data["excellent_min"], data["good_min"], data["fair_min"]))
            return redirect(made)
    return render(request, "evaluation/round_list.html", {"rounds": rounds, "form": form,
                                                           "can_run": can_run(request.user)},
                  status=400 if form.errors else 200)


@login_required
@require_GET
def round_detail(request, pk: int):
    round_ = _round(request, pk)
    try:
        scores = _scores(request, round_)
    except scoring.SchemeError as error:
        scores = []
        messages.error(request, " ".join(error.messages))
    groups = [(UnitKind(kind).label, [item for item in scores if item.kind == kind]) for kind in round_.unit_kinds()]
    return render(request, "evaluation/round_detail.html", {
        "round": round_, "groups": groups, "indicators": round_.indicators.all(),
        "can_run": can_run(request.user) and not round_.is_published, "mark_form": MarkForm(),
        "marks": round_.marks.select_related("society", "district") if sees_everything(request.user) else [],
        "suggestions": commendation.suggestions(round_) if can_run(request.user) else [],
        "sees_all": sees_everything(request.user),
    })


@login_required
def scheme_edit(request, pk: int):
    _runner(request)
    round_ = _round(request, pk)
    if round_.is_published:
        raise Http404
    formset = IndicatorFormSet(request.POST or None, queryset=round_.indicators.all())
    grades = RoundForm(request.POST or None, instance=round_, prefix="round")
    if request.method == "POST" and formset.is_valid() and grades.is_valid():
        try:
            scoring.save_scheme(grades.save(commit=False), [form.save(commit=False) for form in formset.forms])
        except ValidationError as error:
            grades.add_error(None, error)
        else:
            messages.success(request, _("The scheme is saved."))
            return redirect(round_)
    invalid = request.method == "POST"
    return render(request, "evaluation/scheme_form.html", {"round": round_, "formset": formset, "form": grades,
                                                            "rules": RULES}, status=400 if invalid else 200)


@login_required
@require_GET
def unit_detail(request, pk: int):
    round_ = _round(request, pk)
    key = request.GET.get("unit", "")
    score = next((item for item in _scores(request, round_) if item.key == key), None)
    if score is None:
        raise Http404
    parts = []
    for part in score.indicators:
        rule = RULES.get(part.rule)
        rows = []
        if rule is not None and part.record_ids:
            model = apps.get_model(rule.model)
            rows = list(model.objects.for_user(request.user).filter(pk__in=part.record_ids[:200]))
        parts.append({"score": part, "rule": rule, "rows": rows})
    return render(request, "evaluation/unit_detail.html", {"round": round_, "score": score, "parts": parts})


@login_required
@require_POST
def mark(request, pk: int):
    _runner(request)
    round_ = _round(request, pk)
    form = MarkForm(request.POST)
    if form.is_valid():
        key = form.cleaned_data["unit"]
        kind = {"s": UnitKind.SOCIETY, "d": UnitKind.DISTRICT}.get(key[:1])
        if kind is None or not key[1:].isdigit():
            messages.error(request, _("Unknown unit."))
            return redirect(round_)
        try:
            scoring.set_mark(round_, kind=kind, unit_id=int(key[1:]), points=form.cleaned_data["points"],
                             comment=form.cleaned_data["comment"], user=request.user)
        except ValidationError as error:
            return HttpResponse(" ".join(error.messages), status=400, content_type="text/plain; charset=utf-8")
        messages.success(request, _("The mark is saved."))
        return redirect(round_)
    text = " ".join(str(message) for errors in form.errors.values() for message in errors)
    return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")


@login_required
@require_POST
def publish(request, pk: int):
    _runner(request)
    round_ = _round(request, pk)
    try:
        count = scoring.publish(round_, user=request.user)
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=400, content_type="text/plain; charset=utf-8")
    messages.success(request, _("The round is published and frozen: {} results.").format(count))
    return redirect(round_)


def _download(content: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = 'attachment; filename="{}"'.format(name)
    return response


@login_required
@require_GET
def results_xlsx(request, pk: int):
    round_ = _round(request, pk)
    return _download(documents.write_xlsx(round_, _scores(request, round_)),
                     "evaluation-{}.xlsx".format(round_.pk), XLSX)


@login_required
@require_GET
def summary_docx(request, pk: int):
    round_ = _round(request, pk)
    if not sees_everything(request.user):
        raise Http404
    return _download(documents.write_docx(round_, _scores(request, round_)),
                     "evaluation-{}.docx".format(round_.pk), DOCX)


# --- commendation ---------------------------------------------------------------------------------------------------
@login_required
def nomination_list(request):
    nominations = Nomination.objects.for_user(request.user).select_related("society", "district")
    if request.method == "POST":  # pre-fill from a published round's top grade
        _runner(request)
        value = request.POST.get("round", "")
        round_ = get_object_or_404(Round.objects.for_user(request.user), pk=int(value) if value.isdigit() else 0)
        made = commendation.nominate_from_round(round_, user=request.user)
        messages.success(request, _("{} nominations pre-filled from the round.").format(made))
        return redirect("evaluation:nominations")
    return render(request, "evaluation/nomination_list.html", {
        "nominations": nominations, "can_nominate": can_nominate(request.user)})


@login_required
def nomination_create(request):
    if not can_nominate(request.user):
        raise Http404
    initial = {"year": request.GET.get("year") or timezone.localdate().year}
    form = NominationForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if not (data["society"] or data["district"]):  # a contact's nominee belongs to their own unit
            data["society"], data["district"] = society_of(request.user), district_of(request.user)
        nomination = commendation.nominate(user=request.user, **data)
        return redirect(nomination)
    return render(request, "evaluation/nomination_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_GET
def nomination_detail(request, pk: int):
    nomination = get_object_or_404(Nomination.objects.for_user(request.user), pk=pk)
    steps = [step for step in (NominationStep.REVIEWED, NominationStep.APPROVED, NominationStep.PUBLISHED,
                               NominationStep.REJECTED) if can_step(request.user, step)]
    return render(request, "evaluation/nomination_detail.html", {"nomination": nomination, "steps": steps})


@login_required
@require_POST
def nomination_step(request, pk: int):
    nomination = get_object_or_404(Nomination.objects.for_user(request.user), pk=pk)
    step = request.POST.get("step", "")
    if not can_step(request.user, step):
        raise Http404
    try:
        commendation.advance(nomination, step=step, user=request.user)
    except commendation.FlowError as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    return redirect(nomination)


@login_required
@require_GET
def honour_roll(request):
    published = Nomination.objects.for_user(request.user).filter(step=NominationStep.PUBLISHED).select_related(
        "society", "district")
    return render(request, "evaluation/honour_roll.html", {"nominations": published})


@login_required
@require_GET
def notice_docx(request):
    """The 表扬通报 of a year's published commendations, for the secretariat and the leadership."""
    if not sees_everything(request.user):
        raise Http404
    value = request.GET.get("year", "")
    if not value.isdigit() or not 2000 <= int(value) <= 2100:
        return HttpResponse(_("Give a year such as 2025."), status=400, content_type="text/plain; charset=utf-8")
    published = list(Nomination.objects.for_user(request.user).filter(
        year=int(value), step=NominationStep.PUBLISHED).select_related("society", "district"))
    return _download(documents.write_notice(int(value), published), "commendation-{}.docx".format(value), DOCX)
