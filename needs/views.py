"""The 需求台账 pages: thin views that fetch through ``for_user`` / ``needs.access`` and call ``needs.services``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from societies.access import district_of, is_secretariat, society_of
from societies.models import Expert, UpperUnit

from . import services
from .access import can_assign, can_change, can_collect, get_need_or_404
from .exporting import XLSX, export_needs
from .filtersets import NeedFilterSet
from .forms import AssignForm, CloseForm, NeedForm, NeedUploadForm, VisitForm
from .importing import run as run_import
from .ledger import expert_ledger
from .matching import suggest_experts, suggest_units
from .models import Need

PAGE_SIZE = 50


def _filtered(request):
    return NeedFilterSet(request.GET, queryset=Need.objects.for_user(request.user))


@login_required
@require_GET
def need_list(request):
    """需求台账: the needs the user may see, filtered, 50 to a page."""
    filterset = _filtered(request)
    rows = filterset.qs.select_related("partner", "district", "industry", "collected_by_district",
                                       "collected_by_society")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "needs/need_list.html", {
        "filter": filterset, "page": page, "needs": page.object_list, "params": params.urlencode(),
        "can_collect": can_collect(request.user), "is_secretariat": is_secretariat(request.user)})


@login_required
@require_GET
def need_export(request):
    response = HttpResponse(export_needs(_filtered(request).qs), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="needs.xlsx"'
    return response


def _form_page(request, need: Need | None):
    form = NeedForm(request.POST or None, instance=need, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        partner_name = data.pop("partner_name")
        if need is None and not is_secretariat(request.user):
            data["collected_by_district"] = district_of(request.user)
            data["collected_by_society"] = society_of(request.user)
        try:
            saved = services.save_need(need, user=request.user, partner_name=partner_name, fields=data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The need is saved."))
            return redirect(saved)
    return render(request, "needs/need_form.html", {"form": form, "need": need})


@login_required
def need_create(request):
    if not can_collect(request.user):
        raise Http404
    return _form_page(request, None)


@login_required
def need_edit(request, pk: int):
    return _form_page(request, get_need_or_404(request.user, pk, for_change=True))


@login_required
@require_GET
def need_detail(request, pk: int):
    need = get_need_or_404(request.user, pk)
    assigning = can_assign(request.user, need) and not need.is_closed
    changing = can_change(request.user, need)
    query = request.GET.get("q", "").strip()[:50]
    found_experts, found_units = [], []
    if assigning and query:  # others than the suggested, searched by name, unit or field (20 at most)
        found_experts = Expert.objects.for_user(request.user).filter(
            Q(name__icontains=query) | Q(organisation__icontains=query) | Q(field__icontains=query))[:20]
        found_units = UpperUnit.objects.for_user(request.user).filter(name__icontains=query)[:20]
    return render(request, "needs/need_detail.html", {
        "need": need, "can_change": changing, "can_assign": assigning,
        "matches": need.matches.select_related("expert__society", "upper_unit"),
        "visits": need.visits.prefetch_related("experts"),
        "expert_suggestions": suggest_experts(need, user=request.user) if assigning else [],
        "unit_suggestions": suggest_units(need, user=request.user) if assigning else [],
        "query": query, "found_experts": found_experts, "found_units": found_units,
        "visit_form": VisitForm(user=request.user, need=need) if changing and need.status in (
            "matched", "visited") else None,
        "close_form": CloseForm() if changing and not need.is_closed else None,
    })


def _done(request, need: Need, form, action):
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Saved."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect(need)


@login_required
@require_POST
def need_assign(request, pk: int):
    need = get_need_or_404(request.user, pk)
    if not can_assign(request.user, need):
        raise Http404
    form = AssignForm(request.POST, user=request.user)
    return _done(request, need, form, lambda data: services.assign(
        need, user=request.user, experts=data["experts"], upper_units=data["upper_units"]))


@login_required
@require_POST
def need_visit(request, pk: int):
    need = get_need_or_404(request.user, pk, for_change=True)
    form = VisitForm(request.POST, user=request.user, need=need)
    return _done(request, need, form, lambda data: services.record_visit(
        need, user=request.user, held_on=data["held_on"], experts=data["experts"],
        person_times=data["person_times"], notes=data["notes"]))


@login_required
@require_POST
def need_close(request, pk: int):
    need = get_need_or_404(request.user, pk, for_change=True)
    form = CloseForm(request.POST)
    return _done(request, need, form, lambda data: services.close(
        need, user=request.user, solved=data["result"] == "solved", reason=data["reason"],
        satisfaction=data["satisfaction"], comment=data["comment"]))


@login_required
@require_GET
def expert_detail(request, pk: int):
    """An expert's registry entry and service ledger."""
    try:
        expert = Expert.objects.for_user(request.user).select_related("society", "category").get(pk=pk)
    except (Expert.DoesNotExist, ValueError, OverflowError):
        raise Http404 from None
    lines = expert_ledger(expert, user=request.user)
    return render(request, "needs/expert_detail.html", {
        "expert": expert, "lines": lines, "person_times": sum(line.person_times for line in lines)})


@login_required
def need_import(request):
    """The secretariat uploads a 需求征集表 or a 专家库; the result (or every reason for refusing it) is shown."""
    if not is_secretariat(request.user):
        raise Http404
    form = NeedUploadForm(request.POST or None, request.FILES or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = run_import(form.cleaned_data["what"], form.cleaned_data["file"], user=request.user)
    return render(request, "needs/need_import.html", {"form": form, "outcome": outcome},
                  status=400 if outcome is not None and outcome.errors else 200)
