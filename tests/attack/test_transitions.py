"""Forged transitions: a workflow step posted by someone the workflow table does not let
make it, or in a state it does not leave, changes nothing.

Every row of `assessments.workflow.TRANSITIONS`, for each kind of assessment it applies to,
is posted to Telavi's assessment in the row's source state, with a valid CSRF token and
the form the step needs, by each person who may not make it (the matrix of
tests/assessments/test_permissions.py says who may; the grant reviewer never may), at the
admin's transition address and at the monitor workspace's. Then project staff, who may make
every step, and the assessment's own people (Telavi's staff, the CSO monitor) post each
step to an assessment in a state it does not leave, and try steps that do not exist. The
status, the snapshots, the comments and every other row stay as they were.
"""

import pytest
from django.urls import reverse

from assessments.workflow import TRANSITIONS, Status
from indicators.models import Indicator

from .conftest import ROLES, changed_tables, database_state
from .test_access import REFUSED, matrix, outcome_of

STATES = [Status.DRAFT, Status.SUBMITTED, Status.REPLY, Status.REVIEW, Status.PUBLISHED]


def form_of(world, assessment, action) -> dict:
    """What the step's confirmation page sends (tests/assessments/test_permissions.py)."""
    if action == "open_reply":
        return {"days": "7"}
    if action == "return":
        indicator = Indicator.objects.get(
            code="A.1.1", criterion__area__version=assessment.cycle.methodology
        )
        return {
            "note": "Forged return",
            "comments-TOTAL_FORMS": "1",
            "comments-INITIAL_FORMS": "0",
            "comments-0-indicator": str(indicator.pk),
            "comments-0-text": "Forged comment",
        }
    if action in ("publish", "correct"):
        return {"note_ka": "ყალბი შესწორება", "note_en": "Forged correction"}
    return {}


def forge(world, browser, assessment, action):
    """Post the step at both addresses; the answers."""
    data = form_of(world, assessment, action)
    admin = reverse("admin:assessments_assessment_transition", args=[assessment.pk, action])
    monitor = reverse("monitor:transition", args=[assessment.pk])
    return [browser.post(admin, data), browser.post(monitor, {"action": action, **data})]


def unchanged(world, browser, assessment, action):
    status = assessment.status
    before = database_state()
    answers = forge(world, browser, assessment, action)
    assessment.refresh_from_db()
    return answers, assessment.status == status and changed_tables(before, database_state()) == []


FORBIDDEN = [
    pytest.param(
        transition.action,
        kind,
        transition.source,
        role,
        id=f"{role}-may-not-{transition.action}-{kind}",
    )
    for transition in TRANSITIONS
    for kind in sorted(transition.kinds)
    for role in ROLES
    if role not in matrix(transition.action, kind)
]


@pytest.mark.parametrize(("action", "kind", "status", "role"), FORBIDDEN)
def test_a_step_posted_by_someone_who_may_not_make_it_changes_nothing(
    world, browsers, action, kind, status, role
):
    assessment = world.assessment(kind, status)

    answers, nothing_changed = unchanged(world, browsers[role], assessment, action)

    assert [outcome_of(answer) for answer in answers] == [REFUSED, REFUSED], answers
    assert nothing_changed


WRONG_STATE = [
    pytest.param(action, kind, status, id=f"{action}-{kind}-in-{status}")
    for action in dict.fromkeys(t.action for t in TRANSITIONS)
    for kind in ("self", "external")
    for status in STATES
    if (kind, status) != ("self", Status.REPLY)  # a self-assessment is never in reply
    and not any(t.action == action and t.source == status and kind in t.kinds for t in TRANSITIONS)
]


@pytest.mark.parametrize(("action", "kind", "status"), WRONG_STATE)
def test_a_step_posted_in_a_state_it_does_not_leave_changes_nothing(
    world, browsers, action, kind, status
):
    assessment = world.assessment(kind, status)
    owner = browsers["cso_monitor" if kind == "external" else "telavi_staff"]

    answers = []
    for someone in (browsers["project_staff"], owner):
        found, nothing_changed = unchanged(world, someone, assessment, action)
        answers += found
        assert nothing_changed

    assert {outcome_of(answer) for answer in answers} == {REFUSED}, answers


@pytest.mark.parametrize(
    "action", ["approve", "PUBLISH", "publish ", "publish\u200b", "submit,publish", "__init__"]
)
def test_a_step_that_does_not_exist_is_refused(world, browsers, action):
    for kind, status in (("self", Status.REVIEW), ("external", Status.DRAFT)):
        assessment = world.assessment(kind, status)
        for role in ("project_staff", "cso_monitor", "telavi_staff"):
            answers, nothing_changed = unchanged(world, browsers[role], assessment, action)
            assert nothing_changed, (role, kind)
            assert {outcome_of(answer) for answer in answers} == {REFUSED}, answers
