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
    *, username: str, role: Role, password: str, society: Society | None = None, district: District | None = None
) -> tuple[User, bool]:
    """Create the account with its role and profile if it does not exist; an existing account is left as it is.

    Returns the user and whether it was created.
    """
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user, False
    user = User.objects.create_user(username=username, password=password, is_staff=role == Role.SECRETARIAT)
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
            username=account.username, role=account.role, password=password, society=society, district=district
        )
        result.append((account, created))
    return result
