import pytest

from reports.targets import load_targets
from societies.choices import Role
from tests import factories


@pytest.fixture
def targets(db):
    load_targets()


@pytest.fixture
def world(db):
    """Two districts and two societies with their contacts, the secretariat, a leader and an account without role."""
    d1, d2 = factories.district("市中区科协"), factories.district("薛城区科协")
    s1, s2 = factories.society("市医学会"), factories.society("市老科协")
    from django.contrib.auth.models import User

    return {
        "d1": d1, "d2": d2, "s1": s1, "s2": s2,
        "district1": factories.user(Role.DISTRICT, district=d1),
        "district1_colleague": factories.user(Role.DISTRICT, district=d1),
        "district2": factories.user(Role.DISTRICT, district=d2),
        "society1": factories.user(Role.SOCIETY, society=s1),
        "society2": factories.user(Role.SOCIETY, society=s2),
        "secretariat": factories.user(Role.SECRETARIAT),
        "leader": factories.user(Role.LEADER),
        "nobody": User.objects.create_user("nobody", password=factories.PASSWORD),
    }
