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

The grant competition's forms likewise (the rows of tests/attack/test_csrf.py's
FORGERIES, now with their token): each posted by every person but the one who may post
it, then by that person where the state forbids it (editing a submitted application,
scoring an application from which the reviewer is excluded or before declaring, declaring
twice, deciding twice, a step the call is not at).
"""

import pytest
from django.urls import reverse

from assessments.workflow import TRANSITIONS, Status
from indicators.models import Indicator

from .conftest import ROLES, changed_tables, database_state
from .test_access import REFUSED, matrix, outcome_of
from .test_csrf import FORGERIES, review_form

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


# --- The grant competition's forms ------------------------------------------------------------

# Who may post each of the grant competition's forms (at the address test_csrf.py's forgery
# of it names): the draft's and the report's organisation, the grant reviewer, project staff.
MAY_POST = {
    "apply:start": {"cso_monitor"},
    "apply:application": {"cso_monitor"},
    "apply:attachments": {"cso_monitor"},
    "apply:remove_attachment": {"cso_monitor"},
    "apply:report": {"other_monitor"},
    "review:declare": {"grant_reviewer"},
    "review:review": {"grant_reviewer"},
    **dict.fromkeys(
        (
            "admin:grants_application_eligibility",
            "admin:grants_application_assign",
            "admin:grants_application_moderate",
            "admin:grants_application_decide",
            "admin:grants_call_step",
            "admin:grants_call_export",
            "admin:grants_report_review",
        ),
        {"project_staff"},
    ),
}
# The grant competition's own forms (not its sign-in pages, nor Django's stock admin pages,
# which tests/attack/test_access.py tries for everyone).
GRANT_FORMS = [
    key
    for key in FORGERIES
    if key.startswith(("apply:", "review:", "admin:grants_"))
    and key not in ("review:login", "review:logout")
    and not key.endswith(("_changelist", "_add", "_change", "_delete"))
]


def refused(answer) -> bool:
    """Not found, forbidden, sent to a login page, or refused with the reason (400)."""
    return outcome_of(answer) == REFUSED or answer.status == 400


def post_unchanged(browser, path, data, files=()):
    before = database_state()
    answer = browser.post(path, data, files=files)
    return answer, changed_tables(before, database_state()) == []


def test_each_grant_form_says_who_may_post_it():
    assert sorted(GRANT_FORMS) == sorted(MAY_POST)


FORGED_GRANT_FORMS = [
    pytest.param(key, role, id=f"{role}-may-not-post-{key}")
    for key in GRANT_FORMS
    for role in ROLES
    if role not in MAY_POST[key]
]


@pytest.mark.parametrize(("key", "role"), FORGED_GRANT_FORMS)
def test_a_grant_form_posted_by_someone_who_may_not_post_it_changes_nothing(
    world, browsers, key, role
):
    forgery = FORGERIES[key][0]

    answer, nothing_changed = post_unchanged(
        browsers[role], forgery.path(world), forgery.data(world), forgery.files
    )

    # Refused for who they are, before any form is read: never a 400 about the form.
    assert outcome_of(answer) == REFUSED, answer
    assert nothing_changed


def editing(world):
    return {"title": "Changed after submission", "objectives": "Changed", "submit": "1"}


# (who, address, form): each posted by the one person who may post that form, in a state
# where it may not be posted.
GRANT_WRONG_STATE = {
    "a submitted application is edited by its organisation": (
        "cso_monitor",
        lambda w: reverse("apply:application", args=[w.applications["assigned"].pk]),
        editing,
    ),
    "a submitted application is edited by the other organisation": (
        "other_monitor",
        lambda w: reverse("apply:application", args=[w.applications["submitted"].pk]),
        editing,
    ),
    "a document is attached to a submitted application": (
        "other_monitor",
        lambda w: reverse("apply:attachments", args=[w.applications["submitted"].pk]),
        lambda w: {},
    ),
    "a document is removed from a submitted application": (
        "other_monitor",
        lambda w: reverse(
            "apply:remove_attachment",
            args=[w.applications["submitted"].pk, w.application_files["submitted"].pk],
        ),
        lambda w: {},
    ),
    "a submitted report is rewritten": (
        "other_monitor",
        lambda w: reverse("apply:report", args=[w.reports["interim"].pk]),
        lambda w: {"narrative": "Rewritten", "financial": "Rewritten", "submit": "1"},
    ),
    "another organisation starts an application in Civic Monitor's name": (
        "other_monitor",
        lambda w: reverse("apply:start", args=[w.calls["open"].slug]),
        lambda w: {"organization": w.cso.pk},
    ),
    "an organisation applies twice to a call of one application each": (
        "cso_monitor",
        lambda w: reverse("apply:start", args=[w.calls["open"].slug]),
        lambda w: {"organization": w.cso.pk},
    ),
    "an application is started for a call that has closed": (
        "cso_monitor",
        lambda w: reverse("apply:start", args=[w.calls["review"].slug]),
        lambda w: {"organization": w.cso.pk},
    ),
    "a reviewer scores an application after declaring a conflict": (
        "grant_reviewer",
        lambda w: reverse("review:review", args=[w.assignments["conflicted"].pk]),
        review_form,
    ),
    "a reviewer scores an application before declaring": (
        "grant_reviewer",
        lambda w: reverse("review:review", args=[w.assignments["undeclared"].pk]),
        review_form,
    ),
    "a reviewer takes back a declared conflict": (
        "grant_reviewer",
        lambda w: reverse("review:declare", args=[w.assignments["conflicted"].pk]),
        lambda w: {"has_conflict": "no"},
    ),
    "a reviewer declares again": (
        "grant_reviewer",
        lambda w: reverse("review:declare", args=[w.assignments["assigned"].pk]),
        lambda w: {"has_conflict": "yes", "note": "Changed my mind"},
    ),
    "staff decide an award again": (
        "project_staff",
        lambda w: reverse("admin:grants_application_decide", args=[w.applications["awarded"].pk]),
        lambda w: {"decision": "reject", "reason": "Changed"},
    ),
    "staff decide an application of a call that is not under review": (
        "project_staff",
        lambda w: reverse("admin:grants_application_decide", args=[w.applications["submitted"].pk]),
        lambda w: {"decision": "reject", "reason": "Too early"},
    ),
    "staff check a draft's eligibility": (
        "project_staff",
        lambda w: reverse(
            "admin:grants_application_eligibility", args=[w.applications["draft"].pk]
        ),
        lambda w: {"verdict": "eligible"},
    ),
    "staff assign a reviewer to a draft": (
        "project_staff",
        lambda w: reverse("admin:grants_application_assign", args=[w.applications["draft"].pk]),
        lambda w: {"reviewer": w.people["grant_reviewer"].pk},
    ),
    "staff announce a call that is open": (
        "project_staff",
        lambda w: reverse("admin:grants_call_step", args=[w.calls["open"].pk, "announce"]),
        lambda w: {},
    ),
    "staff start the review of a call that is open": (
        "project_staff",
        lambda w: reverse("admin:grants_call_step", args=[w.calls["open"].pk, "start_review"]),
        lambda w: {},
    ),
    "staff take a step that does not exist": (
        "project_staff",
        lambda w: reverse("admin:grants_call_step", args=[w.calls["review"].pk, "award_all"]),
        lambda w: {},
    ),
    "staff review a report that was never submitted": (
        "project_staff",
        lambda w: reverse("admin:grants_report_review", args=[w.reports["final"].pk]),
        lambda w: {"verdict": "accept"},
    ),
}


@pytest.mark.parametrize("case", list(GRANT_WRONG_STATE))
def test_a_grant_form_posted_in_a_state_that_forbids_it_changes_nothing(world, browsers, case):
    role, path, data = GRANT_WRONG_STATE[case]

    answer, nothing_changed = post_unchanged(browsers[role], path(world), data(world))

    assert refused(answer), answer
    assert nothing_changed
