"""Forged forms: every POST the site accepts is refused without its CSRF token.

A page on another site can make a signed-in person's browser post a form to this one, with
the person's cookies but without the token that only this site's pages carry. Each address
that takes a POST (the rows of tests/attack/test_access.py's TABLE marked `posts`) is tried
so, by a person who could really make that POST: the answer is Django's CSRF refusal (403),
and no row of the database changes, not even a session. A token taken from another browser
(the attacker's own) does no better.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from assessments.models import Export
from assessments.workflow import TRANSITIONS, Status
from grants.models import Call, CallStage, Report
from tests.assessments.conftest import PDF, answer_data, reply_data

from .conftest import PASSWORD, a_1_1, changed_tables, database_state
from .test_access import TABLE, registered_models, sample_pk

CSRF_REFUSED = "CSRF verification failed"


@dataclass(frozen=True)
class Forgery:
    """A POST a person could make with the token, sent without it."""

    who: str
    path: Callable  # world → path
    data: Callable = lambda world: {}  # world → form fields
    files: tuple = ()


def assessment_page(name, target, *extra):
    return lambda world: reverse(
        f"admin:assessments_assessment_{name}", args=[world.assessment(*target).pk, *extra]
    )


def identity_change(world):
    """The change form, moving Telavi's draft to Sighnaghi."""
    assessment = world.assessment("self", Status.DRAFT)
    return {
        "municipality": world.places["sighnaghi"].pk,
        "cycle": assessment.cycle_id,
        "kind": "self",
        "organization": "",
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
    }


RESPONSES_CSV = b"indicator_code,value,evidence\nA.1.1,0,Forged evidence\n"
MATRIX_CSV = b"area_code,criterion_code,indicator_code\nZ,Z.1,Z.1.1\n"
MUNICIPALITIES_CSV = b"slug,name_en\ntelavi,Forged\n"
BOUNDARIES_GEOJSON = (
    b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
    b'{"shapeName": "Telavi"}, "geometry": {"type": "Polygon", "coordinates": '
    b"[[[45.4, 41.8], [45.5, 41.8], [45.5, 41.9], [45.4, 41.8]]]}}]}"
)

SELF_DRAFT, EXTERNAL_DRAFT = ("self", Status.DRAFT), ("external", Status.DRAFT)

FORGERIES: dict[str, list[Forgery]] = {
    "admin:login": [
        Forgery(
            "citizen",
            lambda w: "/admin/login/",
            lambda w: {"username": "project-staff", "password": PASSWORD},
        ),
        Forgery(
            "telavi_staff",
            lambda w: "/admin/login/",
            lambda w: {"username": "project-staff", "password": PASSWORD},
        ),
    ],
    "monitor:login": [
        Forgery(
            "citizen",
            lambda w: "/monitor/login/",
            lambda w: {"username": "cso-monitor", "password": PASSWORD},
        ),
        Forgery(
            "other_monitor",
            lambda w: "/monitor/login/",
            lambda w: {"username": "cso-monitor", "password": PASSWORD},
        ),
    ],
    "admin:logout": [Forgery("project_staff", lambda w: "/admin/logout/")],
    "monitor:logout": [Forgery("cso_monitor", lambda w: "/monitor/logout/")],
    "set_language": [
        Forgery("telavi_staff", lambda w: "/i18n/setlang/", lambda w: {"language": "ka"})
    ],
    "monitor:area": [
        Forgery(
            "cso_monitor",
            lambda w: f"/monitor/assessments/{w.assessment(*EXTERNAL_DRAFT).pk}/areas/A/",
            lambda w: answer_data(
                w.assessment(*EXTERNAL_DRAFT), "A", {"A.1.1": {"evidence": "Forged"}}
            ),
            files=(("new_files", "forged.pdf", PDF),),
        )
    ],
    "monitor:transition": [
        Forgery(
            "cso_monitor",
            lambda w: f"/monitor/assessments/{w.assessment(*EXTERNAL_DRAFT).pk}/transition/",
            lambda w: {"action": "submit"},
        )
    ],
    "admin:password_change": [
        Forgery(
            "project_staff",
            lambda w: "/admin/password_change/",
            lambda w: {
                "old_password": PASSWORD,
                "new_password1": "forged-Password-2024",
                "new_password2": "forged-Password-2024",
            },
        )
    ],
    "admin:auth_user_password_change": [
        Forgery(
            "project_staff",
            lambda w: reverse(
                "admin:auth_user_password_change", args=[w.people["telavi_staff"].pk]
            ),
            lambda w: {"password1": "forged-Password-2024", "password2": "forged-Password-2024"},
        )
    ],
    "admin:assessments_assessment_change": [
        Forgery("project_staff", assessment_page("change", SELF_DRAFT), identity_change)
    ],
    "admin:assessments_assessment_area": [
        Forgery(
            "telavi_staff",
            assessment_page("area", SELF_DRAFT, "A"),
            lambda w: answer_data(
                w.assessment(*SELF_DRAFT), "A", {"A.1.1": {"evidence": "Forged"}}
            ),
        )
    ],
    "admin:assessments_assessment_reply": [
        Forgery(
            "telavi_staff",
            assessment_page("reply", ("external", Status.REPLY)),
            lambda w: reply_data(
                w.assessment("external", Status.REPLY), {"A.1.1": {"reply": "Forged reply"}}
            ),
        )
    ],
    "admin:assessments_assessment_delete": [
        Forgery("project_staff", assessment_page("delete", SELF_DRAFT), lambda w: {"post": "yes"})
    ],
    "admin:assessments_assessment_import": [
        Forgery(
            "telavi_staff",
            assessment_page("import", SELF_DRAFT),
            files=(("file", "responses.csv", RESPONSES_CSV),),
        )
    ],
    "admin:assessments_assessment_simple_history": [
        Forgery(
            "project_staff",
            lambda w: reverse(
                "admin:assessments_assessment_simple_history",
                args=[
                    w.assessment(*SELF_DRAFT).pk,
                    w.assessment(*SELF_DRAFT).history.order_by("history_id").first().history_id,
                ],
            ),
            lambda w: {"status": "published"},
        )
    ],
    "admin:assessments_response_simple_history": [
        Forgery(
            "project_staff",
            lambda w: reverse(
                "admin:assessments_response_simple_history",
                args=[
                    a_1_1(w.assessment(*SELF_DRAFT)).pk,
                    a_1_1(w.assessment(*SELF_DRAFT))
                    .history.order_by("history_id")
                    .first()
                    .history_id,
                ],
            ),
            lambda w: {"value": "0"},
        )
    ],
    "admin:municipalities_municipality_import": [
        Forgery(
            "project_staff",
            lambda w: reverse("admin:municipalities_municipality_import"),
            files=(("file", "municipalities.csv", MUNICIPALITIES_CSV),),
        )
    ],
    # The upload (a preview) and the confirmation that writes it.
    "admin:municipalities_municipality_import_boundaries": [
        Forgery(
            "project_staff",
            lambda w: reverse("admin:municipalities_municipality_import_boundaries"),
            files=(("file", "boundaries.geojson", BOUNDARIES_GEOJSON),),
        ),
        Forgery(
            "project_staff",
            lambda w: reverse("admin:municipalities_municipality_import_boundaries"),
            lambda w: {"token": "0" * 32},
        ),
    ],
    "admin:municipalities_organization_import": [
        Forgery(
            "project_staff",
            lambda w: reverse("admin:municipalities_organization_import"),
            files=(("file", "organisations.csv", b"slug,name_en\ncivic-monitor,Forged\n"),),
        )
    ],
    "admin:indicators_methodologyversion_import": [
        Forgery(
            "project_staff",
            lambda w: reverse(
                "admin:indicators_methodologyversion_import", args=[w.methodology.pk]
            ),
            files=(("file", "matrix.csv", MATRIX_CSV),),
        )
    ],
}


def review_form(world):
    """The grant reviewer's scores of the application they may score, saved (not
    submitted)."""
    criteria = world.calls["review"].rubric.all()
    return {
        **{f"points_{criterion.pk}": "2" for criterion in criteria},
        **{f"comment_{criterion.pk}": "Forged comment" for criterion in criteria},
    }


def application_admin_page(name, key):
    return lambda w: reverse(f"admin:grants_application_{name}", args=[w.applications[key].pk])


FORGERIES.update(
    {
        # The applicant's workspace: Civic Monitor's draft, the other CSO's award's report.
        "apply:start": [
            Forgery(
                "cso_monitor",
                lambda w: reverse("apply:start", args=[w.calls["open"].slug]),
                lambda w: {"organization": w.cso.pk},
            )
        ],
        "apply:application": [
            Forgery(
                "cso_monitor",
                lambda w: reverse("apply:application", args=[w.applications["draft"].pk]),
                lambda w: {"title": "Forged", "objectives": "Forged", "submit": "1"},
            )
        ],
        "apply:attachments": [
            Forgery(
                "cso_monitor",
                lambda w: reverse("apply:attachments", args=[w.applications["draft"].pk]),
                files=(("file", "forged.pdf", PDF),),
            )
        ],
        "apply:remove_attachment": [
            Forgery(
                "cso_monitor",
                lambda w: reverse(
                    "apply:remove_attachment",
                    args=[w.applications["draft"].pk, w.application_files["draft"].pk],
                ),
            )
        ],
        "apply:report": [
            Forgery(
                "other_monitor",
                lambda w: reverse("apply:report", args=[w.reports["final"].pk]),
                lambda w: {"narrative": "Forged", "financial": "Forged", "submit": "1"},
            )
        ],
        # The review workspace.
        "review:login": [
            Forgery(
                "citizen",
                lambda w: "/review/login/",
                lambda w: {"username": "grant-reviewer", "password": PASSWORD},
            )
        ],
        "review:logout": [Forgery("grant_reviewer", lambda w: "/review/logout/")],
        "review:declare": [
            Forgery(
                "grant_reviewer",
                lambda w: reverse("review:declare", args=[w.assignments["undeclared"].pk]),
                lambda w: {"has_conflict": "no"},
            )
        ],
        "review:review": [
            Forgery(
                "grant_reviewer",
                lambda w: reverse("review:review", args=[w.assignments["assigned"].pk]),
                review_form,
            )
        ],
        # The staff's steps in the admin.
        "admin:grants_application_eligibility": [
            Forgery(
                "project_staff",
                application_admin_page("eligibility", "submitted"),
                lambda w: {"verdict": "ineligible", "reason": "Forged"},
            )
        ],
        "admin:grants_application_assign": [
            Forgery(
                "project_staff",
                application_admin_page("assign", "submitted"),
                lambda w: {"reviewer": w.people["grant_reviewer"].pk},
            )
        ],
        "admin:grants_application_moderate": [
            Forgery(
                "project_staff",
                application_admin_page("moderate", "assigned"),
                lambda w: {"score": "5", "note": "Forged"},
            )
        ],
        "admin:grants_application_decide": [
            Forgery(
                "project_staff",
                application_admin_page("decide", "assigned"),
                lambda w: {"decision": "reject", "reason": "Forged"},
            )
        ],
        "admin:grants_call_step": [
            Forgery(
                "project_staff",
                lambda w: reverse("admin:grants_call_step", args=[w.calls["draft"].pk, "announce"]),
            )
        ],
        "admin:grants_call_export": [
            Forgery(
                "project_staff",
                lambda w: reverse("admin:grants_call_export", args=[w.calls["decided"].pk]),
            )
        ],
        # Action plans: the municipality's steps in the admin, the monitor's verdict.
        "admin:assessments_actionplan_adopt": [
            Forgery(
                "telavi_staff",
                lambda w: reverse("admin:assessments_actionplan_adopt", args=[w.plans["draft"].pk]),
            )
        ],
        "admin:assessments_actionplan_close": [
            Forgery(
                "telavi_staff",
                lambda w: reverse(
                    "admin:assessments_actionplan_close", args=[w.plans["adopted"].pk]
                ),
            )
        ],
        "admin:assessments_action_report": [
            Forgery(
                "telavi_staff",
                lambda w: reverse(
                    "admin:assessments_action_report", args=[w.plan_actions["adopted"].pk]
                ),
                lambda w: {
                    "reported_on": "2022-12-01",
                    "status": "done",
                    "text": "Forged report",
                },
            )
        ],
        "admin:assessments_action_answer": [
            Forgery(
                "telavi_staff",
                lambda w: reverse(
                    "admin:assessments_action_answer",
                    args=[w.plan_actions["adopted"].pk, w.plan_verdict.pk],
                ),
                lambda w: {"text": "Forged answer"},
            )
        ],
        "monitor:verdict": [
            Forgery(
                "cso_monitor",
                lambda w: reverse("monitor:verdict", args=[w.waiting_report.pk]),
                lambda w: {"verdict": "confirmed", "text": "Forged verdict"},
            )
        ],
        "admin:grants_report_review": [
            Forgery(
                "project_staff",
                lambda w: reverse("admin:grants_report_review", args=[w.reports["interim"].pk]),
                lambda w: {"verdict": "return", "comment": "Forged"},
            )
        ],
    }
)


def transition_forgery(transition, kind) -> Forgery:
    """A transition by someone who may make it, on an assessment in its source state, with
    what its form needs (tests/assessments/test_permissions.py's transition_data)."""
    who = {
        "submit": "telavi_staff" if kind == "self" else "project_staff",
        "close_reply": "telavi_staff",
    }.get(transition.action, "project_staff")
    target = (kind, transition.source)
    data = {
        "open_reply": {"days": "7"},
        "return": {
            "note": "Forged return",
            "comments-TOTAL_FORMS": "0",
            "comments-INITIAL_FORMS": "0",
        },
        "correct": {"note_ka": "ყალბი", "note_en": "Forged"},
    }.get(transition.action, {})
    return Forgery(who, assessment_page("transition", target, transition.action), lambda w: data)


FORGERIES["admin:assessments_assessment_transition"] = [
    transition_forgery(transition, kind)
    for transition in TRANSITIONS
    for kind in sorted(transition.kinds)
]


def stock_forgeries(app, model, page) -> list[Forgery]:
    """What project staff could post on Django's stock admin page of a model: delete the
    sample record (from its page, or as the list's action), add or change one."""

    def path(world):
        if page in ("changelist", "add"):
            return reverse(f"admin:{app}_{model}_{page}")
        return reverse(f"admin:{app}_{model}_{page}", args=[sample_pk(world, app, model)])

    def data(world):
        pk = sample_pk(world, app, model)
        return {
            "changelist": {"action": "delete_selected", "_selected_action": pk, "post": "yes"},
            "delete": {"post": "yes"},
        }.get(page, {"name_en": "Forged", "code": "forged", "slug": "forged"})

    return [Forgery("project_staff", path, data)]


for _app, _model in registered_models():
    for _page in ("changelist", "add", "change", "delete"):
        FORGERIES.setdefault(f"admin:{_app}_{_model}_{_page}", stock_forgeries(_app, _model, _page))


def test_every_address_that_takes_a_post_is_forged_here():
    posted = {key for key, way in TABLE.items() if way.posts}
    assert sorted(posted - set(FORGERIES)) == []
    assert sorted(set(FORGERIES) - posted) == []


CASES = [
    pytest.param(key, n, id=f"{key}-{forgery.who}" + (f"-{n}" if n else ""))
    for key, forgeries in FORGERIES.items()
    for n, forgery in enumerate(forgeries)
]


@pytest.mark.parametrize(("key", "n"), CASES)
def test_a_form_posted_without_its_token_is_refused_and_changes_nothing(world, browsers, key, n):
    forgery = FORGERIES[key][n]
    browser = browsers[forgery.who]
    path, data = forgery.path(world), forgery.data(world)
    before = database_state()

    answer = browser.post(path, data, files=forgery.files, token=False)

    assert answer.status == 403, answer
    assert CSRF_REFUSED in answer.text
    assert changed_tables(before, database_state()) == []
    assert browser.cookie("django_language") is None
    if forgery.who != "citizen":
        assert browser.is_signed_in


@pytest.mark.parametrize(
    "key", ["monitor:area", "admin:assessments_assessment_area", "set_language", "admin:login"]
)
def test_a_token_from_the_attacker_s_own_browser_does_not_help(world, browsers, key):
    forgery = FORGERIES[key][-1]
    attacker = world.browser("other_monitor")
    victim = browsers[forgery.who]
    before = database_state()

    answer = victim.post(
        forgery.path(world),
        {**forgery.data(world), "csrfmiddlewaretoken": attacker.csrf_token()},
        files=forgery.files,
        token=False,
    )

    assert answer.status == 403 and CSRF_REFUSED in answer.text
    assert changed_tables(before, database_state()) == []


def with_the_token(world, browsers, key, n=0):
    forgery = FORGERIES[key][n]
    browser = browsers[forgery.who]
    return browser.post(forgery.path(world), forgery.data(world), files=forgery.files)


def test_with_the_token_the_same_forms_go_through(world, browsers):
    """The forged forms above would have worked with the token: the refusal is the CSRF
    check's, not a form's. (Last in the module: it changes the world.)"""
    assert with_the_token(world, browsers, "admin:assessments_assessment_area").status == 302
    assert a_1_1(world.assessment(*SELF_DRAFT)).evidence == "Forged"

    assert with_the_token(world, browsers, "monitor:transition").status == 302
    external = world.assessment(*EXTERNAL_DRAFT)
    external.refresh_from_db()
    assert external.status == Status.SUBMITTED

    assert with_the_token(world, browsers, "admin:assessments_export_delete").status == 302
    assert not Export.objects.filter(pk=world.export.pk).exists()

    assert with_the_token(world, browsers, "set_language").status == 302
    assert browsers["telavi_staff"].cookie("django_language") == "ka"

    assert with_the_token(world, browsers, "review:review").status == 302
    assert set(world.assignments["assigned"].scores.values_list("comment", flat=True)) == {
        "Forged comment"
    }

    assert with_the_token(world, browsers, "admin:grants_report_review").status == 302
    assert Report.objects.get(pk=world.reports["interim"].pk).staff_comment == "Forged"

    assert with_the_token(world, browsers, "admin:grants_call_step").status == 302
    assert Call.objects.get(pk=world.calls["draft"].pk).stage == CallStage.ANNOUNCED

    citizen = world.browser("citizen")
    signed_in = citizen.post("/monitor/login/", {"username": "cso-monitor", "password": PASSWORD})
    assert signed_in.status == 302 and citizen.is_signed_in
    assert get_user_model().objects.get(username="project-staff").check_password(PASSWORD)
