"""Domain operations on organisations and accounts."""

import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import transaction

from .access import is_last_secretariat
from .choices import Role
from .models import District, Industry, Profile, Society

REFERENCE_FILE = Path(settings.BASE_DIR) / "fixtures" / "reference.json"


@transaction.atomic
def load_reference_data(*, path: Path = REFERENCE_FILE) -> dict[str, int]:
    """Create the districts and the industry list from the fixture where missing; never overwrite edits.

    Returns how many of each were created.
    """
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    created = {"districts": 0, "industries": 0}
    for row in data["districts"]:
        _obj, new = District.objects.get_or_create(
            name=row["name"], defaults={"order": row.get("order", 100), "is_city": row.get("is_city", False)}
        )
        created["districts"] += new
    for row in data["industries"]:
        _obj, new = Industry.objects.get_or_create(name=row["name"], defaults={"order": row.get("order", 100)})
        created["industries"] += new
    return created


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    society: str = ""
    district: str = ""


DEMO_ACCOUNTS = (
    DemoAccount("secretariat", Role.SECRETARIAT),
    DemoAccount("society", Role.SOCIETY, society="市老科协"),
    DemoAccount("district", Role.DISTRICT, district="滕州市科协"),
    DemoAccount("leader", Role.LEADER),
)


@transaction.atomic
def ensure_user(
    *, username: str, role: Role, password: str, society: Society | None = None, district: District | None = None,
    email: str = "",
) -> tuple[User, bool]:
    """Create the account with its role and profile if it does not exist; an existing account is left as it is.

    Returns the user and whether it was created.
    """
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user, False
    user = User.objects.create_user(
        username=username, email=email, password=password, is_staff=role == Role.SECRETARIAT
    )
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    Profile.objects.create(user=user, society=society, district=district)
    return user, True


def ensure_demo_accounts(*, password: str) -> list[tuple[DemoAccount, bool]]:
    """One demo account per role (the society one tied to 市老科协, the district one to 滕州市科协), each with the
    e-mail ``<username>@example.org`` (filled in on an existing demo account that has none)."""
    result = []
    for account in DEMO_ACCOUNTS:
        society = Society.objects.get_or_create(name=account.society)[0] if account.society else None
        district = District.objects.get_or_create(name=account.district)[0] if account.district else None
        email = "{}@example.org".format(account.username)
        user, created = ensure_user(
            username=account.username, role=account.role, password=password, society=society, district=district,
            email=email,
        )
        if not user.email:
            User.objects.filter(pk=user.pk).update(email=email)
        result.append((account, created))
    return result


# --- organisation pages and accounts ----------------------------------------------------------------------------
class RecordInUse(Exception):
    """A record cannot be deleted while other records refer to it; ``str()`` is the Chinese message for the user."""


def references_of(instance) -> list[tuple[str, int]]:
    """What still refers to ``instance``: (verbose name plural, count) per kind of referring record.

    History rows do not count; a link model that is the ``through`` of a many-to-many is counted once, as the
    records it links (a project linking a district counts as one key project).
    """
    relations = [rel for rel in instance._meta.related_objects if not _is_history(rel.related_model)]
    throughs = {rel.through for rel in relations if rel.many_to_many}
    found = []
    for rel in relations:
        if rel.related_model in throughs:
            continue
        count = rel.related_model._base_manager.filter(**{rel.field.name: instance}).distinct().count()
        if count:
            found.append((str(rel.related_model._meta.verbose_name_plural), count))
    return found


def _is_history(model) -> bool:
    return model.__name__.startswith("Historical") and hasattr(model, "history_id")


@transaction.atomic
def save_record(*, form, user: User):
    """Save a validated organisation-page form (the record and its many-to-many links); history names ``user``."""
    instance = form.save(commit=False)
    instance._history_user = user
    instance.save()
    form.save_m2m()
    return instance


@transaction.atomic
def delete_record(*, instance, user: User) -> None:
    """Delete ``instance``; raises ``RecordInUse`` (nothing deleted) while anything refers to it."""
    from django.db.models import ProtectedError, RestrictedError
    from django.utils.translation import gettext as _

    found = references_of(instance)
    if found:
        raise RecordInUse(
            _("“{name}” cannot be deleted: it is still referred to by {refs}. Remove those references first.").format(
                name=instance, refs="、".join(_("{count} {kind}").format(count=n, kind=kind) for kind, n in found)
            )
        )
    instance._history_user = user
    try:
        instance.delete()
    except (ProtectedError, RestrictedError):
        raise RecordInUse(
            _("“{name}” cannot be deleted: other records still refer to it.").format(name=instance)
        ) from None


class AccountRefused(Exception):
    """An account change that is not allowed; ``str()`` is the Chinese message for the user."""


def _apply_role(user: User, *, role: Role, society: Society | None, district: District | None) -> None:
    user.groups.remove(*Group.objects.filter(name__in=Role.values))
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    Profile.objects.update_or_create(
        user=user,
        defaults={"society": society if role == Role.SOCIETY else None,
                  "district": district if role == Role.DISTRICT else None},
    )
    for cached in ("_sanlian_role", "_sanlian_profile"):
        user.__dict__.pop(cached, None)


@transaction.atomic
def create_account(
    *, username: str, name: str, email: str, role: Role, password: str, society: Society | None = None,
    district: District | None = None,
) -> User:
    """Create an active account with its role (group), profile and a temporary password.

    The secretariat's accounts are staff (they use the back office). Writes the user, group membership and profile.
    """
    user = User.objects.create_user(
        username=username, email=email, password=password, first_name=name, is_staff=role == Role.SECRETARIAT
    )
    _apply_role(user, role=role, society=society, district=district)
    Profile.objects.filter(user=user).update(must_change_password=True)
    return user


@transaction.atomic
def update_account(
    user: User, *, username: str, name: str, email: str, role: Role, society: Society | None = None,
    district: District | None = None,
) -> User:
    """Change an account's details and role; the role's group replaces the old one, the profile follows the role."""
    user.username, user.first_name, user.last_name, user.email = username, name, "", email
    if not user.is_superuser:
        user.is_staff = role == Role.SECRETARIAT
    user.save()
    _apply_role(user, role=role, society=society, district=district)
    return user


@transaction.atomic
def set_temporary_password(user: User, *, password: str) -> None:
    """Set a new (validated) password the user must change at the next log-in; the user's sessions end as Django
    changes the session hash."""
    user.set_password(password)
    user.save(update_fields=["password"])
    Profile.objects.update_or_create(user=user, defaults={"must_change_password": True})


def must_change_password(user: User) -> bool:
    return Profile.objects.filter(user=user, must_change_password=True).exists()


def password_changed(user: User) -> None:
    """The user chose their own password: the temporary one's obligation ends."""
    Profile.objects.filter(user=user, must_change_password=True).update(must_change_password=False)


def set_account_active(user: User, *, active: bool, by: User) -> None:
    """Deactivate (or reactivate) an account; nobody deactivates their own account (the last keeper stays)."""
    from django.utils.translation import gettext as _

    if not active and user.pk == by.pk:
        raise AccountRefused(_("You cannot deactivate your own account."))
    if not active and is_last_secretariat(user):
        raise AccountRefused(_("This is the only secretariat account: give another account the secretariat role "
                               "first."))
    user.is_active = active
    user.save(update_fields=["is_active"])
