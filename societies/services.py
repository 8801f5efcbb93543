"""Domain operations on organisations and accounts."""

import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import transaction

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
    user = User.objects.create_user(username=username, password=password, email=email,
                                    is_staff=role == Role.SECRETARIAT)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    Profile.objects.create(user=user, society=society, district=district)
    return user, True


def ensure_demo_accounts(*, password: str) -> list[tuple[DemoAccount, bool]]:
    """One demo account per role (the society one tied to 市老科协, the district one to 滕州市科协)."""
    result = []
    for account in DEMO_ACCOUNTS:
        society = Society.objects.get_or_create(name=account.society)[0] if account.society else None
        district = District.objects.get_or_create(name=account.district)[0] if account.district else None
        _user, created = ensure_user(
            username=account.username, role=account.role, password=password, society=society, district=district,
            email="{}@example.org".format(account.username),
        )
        result.append((account, created))
    return result


# ---- organisations kept in the portal (issue #3) -------------------------------------------------------------------
class StillReferenced(Exception):
    """The organisation is still used (by projects, people or records) and cannot be deleted."""


def save_organisation(form, *, user) -> object:
    """Save a validated ModelForm of an organisation or person; its history records ``user``."""
    instance = form.save(commit=False)
    instance._history_user = user
    with transaction.atomic():
        instance.save()
        form.save_m2m()
    return instance


def delete_organisation(instance, *, user) -> None:
    """Delete an organisation or person; ``StillReferenced`` when anything still points at it."""
    from django.db.models import ProtectedError, RestrictedError

    profiles = getattr(instance, "profiles", None)
    if profiles is not None and profiles.exists():
        raise StillReferenced(profiles.count())
    instance._history_user = user
    try:
        with transaction.atomic():
            instance.delete()
    except (ProtectedError, RestrictedError) as error:
        raise StillReferenced(len(error.protected_objects if isinstance(error, ProtectedError)
                                  else error.restricted_objects)) from None


@transaction.atomic
def save_account(account: User | None, *, username: str, name: str, email: str, role: Role,
                 society: Society | None, district: District | None, is_active: bool, password: str = "") -> User:
    """Create or change a portal account: one role group, the profile's society or district as the role needs,
    and a new password when given (the user is told it by the secretariat and changes it)."""
    if account is None:
        account = User(username=username)
    account.username, account.first_name, account.last_name, account.email = username, name, "", email
    account.is_active = is_active
    account.is_staff = role == Role.SECRETARIAT
    if password:
        account.set_password(password)
    account.save()
    account.groups.set([Group.objects.get_or_create(name=role)[0]])
    Profile.objects.update_or_create(user=account, defaults={
        "society": society if role == Role.SOCIETY else None,
        "district": district if role == Role.DISTRICT else None,
    })
    return account
