"""The organisation pages: one set of generic views over the kinds in ``societies.kinds``.

Secretariat: lists, create, edit, delete. Leadership: lists and pages, read-only. A society or district contact:
only their own society's or district's page. Anyone else: 404. Sections from higher apps (the organisation's
projects) come through the ``organisation`` panels (``sanlian.panels``), so this app imports none of them.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django_filters.filterset import filterset_factory

from sanlian import panels
from sanlian.forms import FilterSet, search_param
from sanlian.paging import paginate

from . import services
from .access import can_keep_organisations, can_read_organisation_lists
from .forms import record_form_class
from .kinds import KINDS, Kind, display, kind_or_404

PAGE_SIZE = 50


def _get_or_404(kind: Kind, pk, user):
    try:
        return kind.queryset(user).get(pk=pk)
    except (kind.model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def _keeper_only(request) -> None:
    if not can_keep_organisations(request.user):
        raise Http404


@login_required
def organisation_index(request):
    if not can_read_organisation_lists(request.user):
        raise Http404
    return render(request, "societies/organisation_index.html", {"kinds": KINDS.values()})


@login_required
def record_list(request, kind: str):
    kind = kind_or_404(kind)
    if not can_read_organisation_lists(request.user):
        raise Http404
    queryset = kind.queryset(request.user)
    query = search_param(request.GET.get("q"))
    if query:
        condition = Q()
        for name in kind.search:
            condition |= Q(**{"{}__icontains".format(name): query})
        queryset = queryset.filter(condition)
    filterset = None
    status = 200
    if kind.filters:
        filterset = filterset_factory(kind.model, filterset=FilterSet, fields=list(kind.filters))(request.GET or None, queryset=queryset)
        if filterset.is_bound and not filterset.is_valid():
            queryset, status = queryset.none(), 400
        else:
            queryset = filterset.qs
        if any(f.field_name == "industries" for f in filterset.filters.values()):
            queryset = queryset.distinct()
    listing = paginate(request, queryset, PAGE_SIZE)
    headings = [column.heading(kind.model) for column in kind.columns]
    # each cell with its column's heading: on a phone the row is a card that names each value (data-label)
    rows = [(obj, list(zip(headings, (display(obj, column.name) for column in kind.columns)))) for obj in listing.rows]
    return render(
        request,
        "generic/object_list.html",
        {
            "kind": kind, "rows": rows, "query": query, "filterset": filterset, **listing.context(),
            "headings": headings,
            "can_keep": can_keep_organisations(request.user),
        },
        status=status,
    )


@login_required
def record_detail(request, kind: str, pk: int):
    kind = kind_or_404(kind)
    if not (can_read_organisation_lists(request.user) or kind.own_page):
        raise Http404
    obj = _get_or_404(kind, pk, request.user)
    keeper = can_keep_organisations(request.user)
    facts = [(kind.model._meta.get_field(name).verbose_name, display(obj, name))
             for name in kind.fields if keeper or name not in kind.secret_fields]
    return render(
        request,
        "generic/object_detail.html",
        {"kind": kind, "object": obj, "facts": facts, "can_keep": keeper,
         "panels": panels.collect("organisation", user=request.user, organisation=obj)},
    )


@login_required
def record_create(request, kind: str):
    kind = kind_or_404(kind)
    _keeper_only(request)
    return _edit(request, kind, None)


@login_required
def record_edit(request, kind: str, pk: int):
    kind = kind_or_404(kind)
    _keeper_only(request)
    return _edit(request, kind, _get_or_404(kind, pk, request.user))


def _edit(request, kind: Kind, obj):
    form_class = record_form_class(kind)
    form = form_class(request.POST or None, instance=obj)
    if request.method == "POST":
        if form.is_valid():
            saved = services.save_record(form=form, user=request.user)
            messages.success(request, _("Saved: {}").format(saved))
            return redirect("societies:detail", kind=kind.slug, pk=saved.pk)
        status = 400
    else:
        status = 200
    return render(request, "generic/object_form.html", {"kind": kind, "object": obj, "form": form}, status=status)


@login_required
def record_delete(request, kind: str, pk: int):
    kind = kind_or_404(kind)
    _keeper_only(request)
    obj = _get_or_404(kind, pk, request.user)
    references = services.references_of(obj)
    if request.method == "POST":
        try:
            services.delete_record(instance=obj, user=request.user)
        except services.RecordInUse as refused:
            messages.error(request, str(refused))
            return render(
                request, "generic/object_confirm_delete.html",
                {"kind": kind, "object": obj, "references": services.references_of(obj)}, status=409,
            )
        messages.success(request, _("Deleted: {}").format(obj))
        return redirect(reverse("societies:list", kwargs={"kind": kind.slug}))
    return render(
        request, "generic/object_confirm_delete.html", {"kind": kind, "object": obj, "references": references}
    )
