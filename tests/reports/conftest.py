import pytest

from reports.services import load_targets


@pytest.fixture
def targets(db):
    load_targets()
