"""Account pages: the secretariat creates, edits and deactivates user accounts and sets temporary passwords.

Everyone else gets 404. A user changes their own password with Django's password-change view (``sanlian.urls``),
which also ends the obligation a temporary password brings (``sanlian.middleware.PasswordChangeRequiredMiddleware``).
"""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanlian.forms import search_param
from sanlian.middleware import PASSWORD_CHANGE_REQUIRED
from sanlian.paging import paginate

from . import services
from .access import can_keep_organisations, role_in_groups, role_of
from .choices import Role
from .forms import AccountForm, NewAccountForm, TemporaryPasswordForm
from .models import Account, Profile


class OwnPasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change; once done, a temporary password no longer blocks the portal."""

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(self.request.user)
        self.request.session.pop(PASSWORD_CHANGE_REQUIRED, None)
        return response


def _keeper_only(request) -> None:
    if not can_keep_organisations(request.user):
        raise Http404


def _accounts(request):
    return Account.objects.for_user(request.user).select_related("profile__society", "profile__district")


def _account_or_404(request, pk) -> Account:
    try:
        return _accounts(request).get(pk=pk)
    except (Account.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def _fields(form) -> dict:
    data = form.cleaned_data
    return {"username": data["username"], "name": data["name"], "email": data["email"], "role": Role(data["role"]),
            "society": data["society"], "district": data["district"]}


@login_required
def account_list(request):
    _keeper_only(request)
    accounts = _accounts(request).prefetch_related(Prefetch("groups")).order_by("username")
    query = search_param(request.GET.get("q"))
    if query:
        accounts = accounts.filter(
            Q(username__icontains=query) | Q(first_name__icontains=query) | Q(email__icontains=query)
        )
    role = request.GET.get("role", "")
    if role in Role.values:
        accounts = accounts.filter(groups__name=role)
    listing = paginate(request, accounts, 100)
    rows = []
    for account in listing.rows:
        account_role = role_in_groups({group.name for group in account.groups.all()}, superuser=account.is_superuser)
        rows.append((account, account_role.label if account_role else "—", _profile_unit(account)))
    return render(request, "societies/account_list.html",
                  {"rows": rows, "query": query, "roles": Role.choices, "role": role, **listing.context()})


def _profile_unit(account: Account):
    try:
        profile = account.profile
    except Profile.DoesNotExist:
        return None
    return profile.society or profile.district


@login_required
def account_create(request):
    _keeper_only(request)
    form = NewAccountForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            account = services.create_account(**_fields(form), password=form.cleaned_data["password1"])
            messages.success(request, _("Account {} created.").format(account.username))
            return redirect("accounts:list")
        return render(request, "societies/account_form.html", {"form": form}, status=400)
    return render(request, "societies/account_form.html", {"form": form})


@login_required
def account_edit(request, pk: int):
    _keeper_only(request)
    account = _account_or_404(request, pk)
    profile = Profile.objects.filter(user=account).first()
    initial = {"username": account.username, "name": account.get_full_name(), "email": account.email,
               "role": role_of(account) or "", "society": profile.society if profile else None,
               "district": profile.district if profile else None}
    form = AccountForm(request.POST or None, instance=account, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            services.update_account(account, **_fields(form))
            messages.success(request, _("Account {} saved.").format(account.username))
            return redirect("accounts:list")
        status = 400
    else:
        status = 200
    return render(request, "societies/account_form.html",
                  {"form": form, "account": account, "password_form": TemporaryPasswordForm(user=account)},
                  status=status)


@login_required
def account_password(request, pk: int):
    _keeper_only(request)
    account = _account_or_404(request, pk)
    form = TemporaryPasswordForm(request.POST or None, user=account)
    if request.method == "POST":
        if form.is_valid():
            services.set_temporary_password(account, password=form.cleaned_data["password1"])
            messages.success(request, _("A temporary password is set for {}; tell them to change it.").format(
                account.username))
            return redirect("accounts:edit", pk=account.pk)
        return render(request, "societies/account_password.html", {"form": form, "account": account}, status=400)
    return render(request, "societies/account_password.html", {"form": form, "account": account})


@login_required
@require_POST
def account_active(request, pk: int):
    _keeper_only(request)
    account = _account_or_404(request, pk)
    active = request.POST.get("active") == "1"
    try:
        services.set_account_active(account, active=active, by=request.user)
    except services.AccountRefused as refused:
        messages.error(request, str(refused))
        return redirect("accounts:edit", pk=account.pk)
    messages.success(request, (_("Account {} reactivated.") if active else _("Account {} deactivated.")).format(
        account.username))
    return redirect("accounts:list")
