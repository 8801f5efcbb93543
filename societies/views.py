"""Organisation and account pages: thin views over ``societies.kinds`` and ``societies.services``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import services
from .access import is_secretariat, profile_of, role_of, sees_everything
from .choices import Role
from .forms import AccountForm, organisation_form
from .kinds import KINDS, Kind


def _kind(request, slug: str, *, change: bool = False) -> Kind:
    """The kind named by ``slug`` if this user may read it (and change it, with ``change``); otherwise 404."""
    kind = KINDS.get(slug)
    if kind is None or not sees_everything(request.user):
        raise Http404
    if (change or kind.private) and not is_secretariat(request.user):
        raise Http404
    return kind


def _cell(instance, name: str):
    field = instance._meta.get_field(name)
    if field.choices:
        return getattr(instance, "get_{}_display".format(name))()
    value = getattr(instance, name)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return "" if value is None else value


@login_required
@require_GET
def organisation_index(request):
    if not sees_everything(request.user):
        raise Http404
    kinds = [kind for kind in KINDS.values() if not kind.private or is_secretariat(request.user)]
    return render(request, "generic/object_index.html", {"kinds": kinds})


@login_required
@require_GET
def organisation_list(request, kind: str):
    kind = _kind(request, kind)
    objects = kind.model.objects.select_related(*kind.select_related).order_by(*kind.order)
    query = request.GET.get("q", "").strip()
    for word in query.split()[:5]:
        condition = Q()
        for name in kind.search:
            condition |= Q(**{name + "__icontains": word})
        objects = objects.filter(condition)
    chosen = request.GET.get(kind.filter_field, "") if kind.filter_field else ""
    if chosen in dict(kind.filter_choices):
        objects = objects.filter(**{kind.filter_field: chosen})
    page = Paginator(objects, 100).get_page(request.GET.get("page"))
    headers = [kind.model._meta.get_field(name).verbose_name for name in kind.columns]
    rows = [(item, [_cell(item, name) for name in kind.columns]) for item in page.object_list]
    return render(request, "generic/object_list.html", {
        "kind": kind, "page": page, "rows": rows, "headers": headers, "query": query, "chosen": chosen,
        "can_change": is_secretariat(request.user),
    })


@login_required
def organisation_edit(request, kind: str, pk: int | None = None):
    kind = _kind(request, kind, change=True)
    instance = get_object_or_404(kind.model, pk=pk) if pk is not None else None
    form = organisation_form(kind)(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        saved = services.save_organisation(form, user=request.user)
        messages.success(request, _("“{}” was saved.").format(saved))
        return redirect("societies:list", kind=kind.slug)
    return render(request, "generic/object_form.html", {"kind": kind, "form": form, "object": instance},
                  status=400 if form.errors else 200)


@login_required
def organisation_delete(request, kind: str, pk: int):
    kind = _kind(request, kind, change=True)
    instance = get_object_or_404(kind.model, pk=pk)
    if request.method == "POST":
        try:
            services.delete_organisation(instance, user=request.user)
        except services.StillReferenced:
            messages.error(request, _("“{}” is still used by projects, accounts or records and cannot be deleted; "
                                      "mark it inactive or change those first.").format(instance))
            return redirect("societies:list", kind=kind.slug)
        messages.success(request, _("“{}” was deleted.").format(instance))
        return redirect("societies:list", kind=kind.slug)
    return render(request, "generic/object_confirm_delete.html", {"kind": kind, "object": instance})


# --- accounts -------------------------------------------------------------------------------------------------------
def _secretariat(request) -> None:
    if not is_secretariat(request.user):
        raise Http404


@login_required
@require_GET
def account_list(request):
    _secretariat(request)
    accounts = User.objects.select_related("profile__society", "profile__district").prefetch_related(
        "groups").order_by("username")
    query = request.GET.get("q", "").strip()
    if query:
        accounts = accounts.filter(Q(username__icontains=query) | Q(first_name__icontains=query)
                                   | Q(email__icontains=query))
    page = Paginator(accounts, 100).get_page(request.GET.get("page"))
    labels = dict(Role.choices)
    for account in page.object_list:
        account.role_label = ", ".join(str(labels.get(group.name, group.name)) for group in account.groups.all())
    return render(request, "societies/account_list.html", {"page": page, "query": query})


@login_required
def account_edit(request, pk: int | None = None):
    _secretariat(request)
    account = get_object_or_404(User, pk=pk) if pk is not None else None
    initial = None
    if account is not None:
        profile = profile_of(account)
        initial = {"username": account.username, "name": account.get_full_name(), "email": account.email,
                   "role": role_of(account) or Role.SOCIETY, "is_active": account.is_active,
                   "society": profile.society_id if profile else None,
                   "district": profile.district_id if profile else None}
    form = AccountForm(request.POST or None, account=account, initial=initial)
    if request.method == "POST" and form.is_valid():
        if account is not None and account.pk == request.user.pk and not form.cleaned_data["is_active"]:
            form.add_error("is_active", _("You cannot deactivate your own account."))
        else:
            saved = services.save_account(account, **form.cleaned_data)
            messages.success(request, _("The account “{}” was saved.").format(saved.username))
            return redirect("societies:accounts")
    return render(request, "societies/account_form.html", {"form": form, "account": account},
                  status=400 if form.errors else 200)
