"""The people and places the tests talk about."""

import pytest

from assessments.roles import PROJECT_STAFF_GROUP
from tests import factories


@pytest.fixture
def telavi(db):
    return factories.municipality("telavi", "Telavi", "თელავი")


@pytest.fixture
def sighnaghi(db):
    return factories.municipality("sighnaghi", "Sighnaghi", "სიღნაღი")


@pytest.fixture
def methodology(db):
    return factories.methodology()


@pytest.fixture
def cycle_2021(methodology):
    return factories.cycle(2021, methodology)


@pytest.fixture
def cso(db):
    return factories.organization()


@pytest.fixture
def project_staff(db):
    return factories.user("project-staff", group=PROJECT_STAFF_GROUP, is_staff=True)


@pytest.fixture
def telavi_staff(telavi):
    return factories.municipal_staff("telavi-staff", telavi)


@pytest.fixture
def sighnaghi_staff(sighnaghi):
    return factories.municipal_staff("sighnaghi-staff", sighnaghi)


@pytest.fixture
def cso_monitor(cso):
    return factories.cso_monitor("cso-monitor", cso)
