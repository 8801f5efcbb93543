import pytest

from reports.targets import load_targets


@pytest.fixture
def targets(db):
    load_targets()
