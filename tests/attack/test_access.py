"""Who gets each page of the site: every person × every address, as real HTTP requests.

`TABLE` names every URL pattern of the site and says what kind of page it is, and so how
it is tried: a public page or file (in Georgian and English, the same for everyone), the
API, an object page of one of Telavi's assessments (in the admin or the monitor
workspace), an answer's page, an evidence file, a staff page, a sign-in page, a page of
the admin site, one of Django's stock admin pages of a registered model (classified by
pattern, for every model admin), a catch-all; and the grant competition's: its public
pages (a draft call and an application that is no award are not found, for everyone), the
applicant's workspace (an organisation's applications and reports, for its members), an
application's files (also for project staff and a reviewer assigned to it who declared no
conflict), the review workspace (the grant reviewer's own assignments) and the staff's
pages in the admin. A URL pattern the table does not name fails
`test_the_table_names_every_url_pattern_of_the_site`: a new page joins the table.

Who may read and change Telavi's assessments is the matrix of
tests/assessments/test_permissions.py (which goes through Django's test client, page by
page); its rows decide here who gets each object page over HTTP, for the roles it lacks
too: the grant reviewer, whom the matrix does not name and who has no role on any
assessment, and the monitor of another CSO on every admin and monitor address. A refused
person gets a 403, a 404 or a login page, and on no page at all reads the secret planted in
each assessment they may not read (its evidence, its file, its review comment), nor a link
to it. Likewise the grant competition's secrets (tests/attack/conftest.py): each
application's (its objectives, its document), the reviewer's comment, the grantee's report
and the grant agreement, read only by those `application_readers` and `GRANT_SECRETS` name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from assessments.models import Assessment
from assessments.workflow import Status
from tests.assessments.test_permissions import ALLOW, MATRIX

from .conftest import (
    AGREEMENT_SECRET,
    APPLICATIONS,
    ASSIGNMENTS,
    CALL_SLUGS,
    GRANT_SECRETS,
    PLAN_READERS,
    PLAN_SECRET,
    REPORT_SECRET,
    REVIEW_SECRET,
    ROLES,
    a_1_1,
    applicants,
    application_readers,
    grant_secret_of,
    secret_of,
)

GETS, REFUSED, REDIRECTED = "gets the page", "is refused", "is redirected"
DRAFT, REVIEW = Status.DRAFT, Status.REVIEW
KINDS = ("self", "external")
# The object pages are tried on Telavi's four unpublished assessments.
TARGETS = [(kind, status) for status in (DRAFT, REVIEW) for kind in KINDS]
STAFF_MEMBERS = {"telavi_staff", "sighnaghi_staff", "project_staff"}  # they may open the admin
MONITORS = {"cso_monitor", "other_monitor"}  # they work in the monitor workspace
PROJECT_STAFF = {"project_staff"}
REVIEWERS = {"grant_reviewer"}  # the review workspace's only people
NOBODY = set()


def matrix(action: str, kind: str) -> set[str]:
    """Who tests/assessments/test_permissions.py's matrix lets do this to an assessment of
    this kind (the grant reviewer is not in it: he may do nothing to any assessment)."""
    _status, row = MATRIX[action]
    return {person for person, outcomes in row.items() if outcomes[KINDS.index(kind)] is ALLOW}


def readers(target) -> set[str]:
    kind, status = target
    action = {DRAFT: "view the answers of a draft", REVIEW: "view the answers under review"}
    return matrix(action[status], kind)


def enterers(target) -> set[str]:
    """Who may enter answers (and so import them) into the assessment."""
    kind, status = target
    return matrix("edit the answers of a draft", kind) if status == DRAFT else NOBODY


# The step each transition page is tried with: the one that leaves the target's state.
TRANSITION = {DRAFT: "submit", REVIEW: "publish"}


def movers(target) -> set[str]:
    kind, status = target
    return matrix(TRANSITION[status], kind)


def external_only(rule):
    return lambda target: rule(target) if target[0] == "external" else NOBODY


def in_the_workspace(rule):
    return lambda target: rule(target) & MONITORS


def project_staff_only(target):
    return PROJECT_STAFF


# --- How each kind of page is tried -----------------------------------------------------------


@dataclass(frozen=True)
class Way:
    """How one URL pattern is tried: its kind, the address for each target it is tried
    on, and what each person gets there."""

    kind: str
    address: Callable  # (world, target) → path
    outcome: Callable  # (role, target) → GETS, REFUSED, REDIRECTED or a status code
    targets: tuple = (None,)
    posts: bool = False  # it takes a POST: tests/attack/test_csrf.py forges one


def everyone(outcome=GETS):
    return lambda role, target: outcome


def those(rule: Callable):
    """The page for the people the rule names for this target; the others are refused."""
    return lambda role, target: GETS if role in rule(target) else REFUSED


def in_admin(rule: Callable):
    """An admin page: whoever is not staff is sent to the admin's login page."""
    inner = those(rule)
    return lambda role, target: inner(role, target) if role in STAFF_MEMBERS else REFUSED


def signed_in(rule: Callable = lambda target: set(ROLES)):
    """A workspace page: a citizen is sent to the login page."""
    inner = those(rule)
    return lambda role, target: REFUSED if role == "citizen" else inner(role, target)


def public(name, *args, kind="public page"):
    """A public page or file, tried in Georgian and English."""

    def address(world, language):
        with translation.override(language):
            return reverse(f"assessments:{name}", args=args)

    return Way(kind, address, everyone(), targets=("ka", "en"))


def api(name, *args):
    return Way("API", lambda world, target: reverse(f"api:{name}", args=args), everyone())


def fixed(path, kind, outcome, posts=False):
    return Way(kind, lambda world, target: path, outcome, posts=posts)


def sign_in_page(path, outcomes):
    """A login, logout or language address: what each person gets ("*": everyone else)."""
    return fixed(
        path, "sign-in page", lambda role, target: outcomes.get(role, outcomes["*"]), posts=True
    )


def first_history_id(record):
    return record.history.order_by("history_id").first().history_id


def of_assessment(name, rule, extra=lambda world, assessment, target: [], posts=False):
    """An admin page of one of Telavi's assessments."""

    def address(world, target):
        assessment = world.assessment(*target)
        args = [assessment.pk, *extra(world, assessment, target)]
        return reverse(f"admin:assessments_assessment_{name}", args=args)

    return Way(
        "object page of an assessment (admin)", address, in_admin(rule), tuple(TARGETS), posts
    )


def of_answer(name, rule, *, history=False, posts=False):
    """An admin page of the answer to A.1.1 of one of Telavi's assessments."""

    def address(world, target):
        response = a_1_1(world.assessment(*target))
        args = [response.pk, first_history_id(response)] if history else [response.pk]
        return reverse(f"admin:assessments_response_{name}", args=args)

    return Way("object page of an answer (admin)", address, in_admin(rule), tuple(TARGETS), posts)


def of_workspace(name, rule, *, extra=(), posts=False):
    """A monitor workspace page of one of Telavi's assessments."""

    def address(world, target):
        path = reverse(f"monitor:{name}", args=[world.assessment(*target).pk, *extra])
        return path + (f"?action={TRANSITION[target[1]]}" if name == "transition" else "")

    return Way(
        "object page of an assessment (monitor)", address, signed_in(rule), tuple(TARGETS), posts
    )


def staff_page(name, *args, posts=False):
    """A page or file of the admin that only project staff may open."""

    def address(world, target):
        return reverse(f"admin:{name}", args=[arg(world) for arg in args])

    return Way("staff page (admin)", address, in_admin(project_staff_only), posts=posts)


# --- The grant competition's pages ----------------------------------------------------------


def both_languages(*args) -> dict:
    return {"ka": ("ka", args), "en": ("en", args)}


def grants_page(name, addresses: dict, kind="public page"):
    """A public page or file of the grant competition, at each address (target →
    (language, args)); the target "hidden" names something that is not public (a draft
    call, an application that is no award): not found, for everyone."""

    def address(world, target):
        language, args = addresses[target]
        with translation.override(language):
            return reverse(f"grants:{name}", args=args)

    def outcome(role, target):
        return REFUSED if target == "hidden" else GETS

    return Way(kind, address, outcome, targets=tuple(addresses))


def search_page(queries: dict):
    """The site search, for each target a language and a query: it finds only what the
    public pages show (the draft plan's action and the applications that are no award
    share words with what it finds), the same for everyone."""

    def address(world, target):
        language, query = queries[target]
        with translation.override(language):
            return f"{reverse('search')}?{urlencode({'q': query})}"

    return Way("public page", address, everyone(), targets=tuple(queries))


def post_only(role, target):
    """A form's address that takes a POST alone: a GET is not allowed (a citizen is sent
    to the login page first)."""
    return REFUSED if role == "citizen" else 405


def of_application(name, rule, *, record=lambda world, key: world.applications[key], posts=False):
    """A page or file of each of the grant competition's applications in the applicant's
    workspace (a citizen is sent to the login page)."""

    def address(world, target):
        return reverse(f"apply:{name}", args=[record(world, target).pk])

    return Way(
        "object page of an application (applicant)",
        address,
        signed_in(rule),
        tuple(APPLICATIONS),
        posts,
    )


def of_report(name, rule, *, posts=False):
    """A page of the award's reports, or the interim report's file, for the grantee."""
    records = {
        "report": lambda world, target: world.reports[target],
        "report_attachment": lambda world, target: world.report_file,
    }

    def address(world, target):
        return reverse(f"apply:{name}", args=[records[name](world, target).pk])

    targets = ("interim", "final") if name == "report" else ("interim",)
    return Way("object page of a report (applicant)", address, signed_in(rule), targets, posts)


def of_assignment(name, outcomes: dict, *, posts=False):
    """A page of each of the grant reviewer's assignments (by ASSIGNMENTS' keys): what the
    reviewer gets there; everyone else is refused."""

    def address(world, target):
        return reverse(f"review:{name}", args=[world.assignments[target].pk])

    def outcome(role, target):
        return outcomes[target] if role in REVIEWERS else REFUSED

    return Way("object page of a review (reviewer)", address, outcome, tuple(ASSIGNMENTS), posts)


def of_plan(name, targets, *, record=None, extra=lambda world: [], posts=False):
    """An admin page of Telavi's plan (or of its action 1): Telavi's staff and project
    staff; Sighnaghi's staff do not find it."""
    record = record or (lambda world, key: world.plans[key])

    def address(world, key):
        return reverse(f"admin:assessments_{name}", args=[record(world, key).pk, *extra(world)])

    return Way(
        "object page of a plan (admin)", address, in_admin(lambda key: PLAN_READERS), targets, posts
    )


def view_on_site(world, target):
    content_type = ContentType.objects.get_for_model(Assessment).pk
    return reverse("admin:view_on_site", args=[content_type, world.assessment(*target).pk])


def app_page(role, app):
    """An app's page in the admin lists what a person may see there: municipal staff see
    their assessments, and have no other app."""
    if role not in STAFF_MEMBERS:
        return REFUSED
    return GETS if role == "project_staff" or app == "assessments" else REFUSED


ADMIN_SITE = "admin site page"

TABLE: dict[str, Way] = {
    # --- The public portal, under /ka/ and /en/ ----------------------------------------------
    "assessments:home": public("home"),
    "assessments:municipality_list": public("municipality_list"),
    "assessments:municipality": public("municipality", "telavi"),
    "assessments:scorecard": public("scorecard", 2021, "telavi"),
    "assessments:scorecard_revisions": public("scorecard_revisions", 2021, "telavi"),
    "assessments:compare": public("compare"),
    "assessments:area": public("area", 2021, "A"),
    "assessments:methodology": public("methodology"),
    "assessments:methodology_version": public("methodology_version", "2020"),
    "assessments:about": public("about"),
    "assessments:api": public("api"),
    "assessments:open_data": public("open_data"),
    "assessments:scorecard_csv": public("scorecard_csv", 2021, "telavi", kind="public file"),
    # No PDF is made here (a worker makes them): "being prepared" (202), for everyone.
    "assessments:scorecard_pdf": public("scorecard_pdf", 2021, "telavi", kind="public file"),
    "assessments:report_pdf": public("report_pdf", 2021, kind="public file"),
    "assessments:handbook_pdf": public("handbook_pdf", "2020", kind="public file"),
    "assessments:open_data_dictionary": public("open_data_dictionary", kind="public file"),
    "assessments:open_data_methodology": public(
        "open_data_methodology", "2020", kind="public file"
    ),
    "assessments:open_data_file": public(
        "open_data_file", 2021, "responses", "xlsx", kind="public file"
    ),
    # --- Action plans in public: adopted ones only -----------------------------------------
    "assessments:plan": public("plan", "telavi"),
    "assessments:plans": public("plans", 2021),
    "assessments:municipality_feed": public("municipality_feed", "telavi", kind="public file"),
    "assessments:embed": public("embed", "telavi"),
    "assessments:embed_badge": public("embed_badge", "telavi", kind="public file"),
    # A report's file of the adopted plan; one of the draft's, for no one.
    "assessments:plan_evidence": Way(
        "plan evidence file",
        lambda world, target: reverse(
            "assessments:plan_evidence",
            args=[(world.plan_file if target == "public" else world.hidden_plan_file).pk],
        ),
        lambda role, target: GETS if target == "public" else REFUSED,
        targets=("public", "hidden"),
    ),
    "assessments:plan_order": Way(
        "plan evidence file",
        lambda world, key: reverse("assessments:plan_order", args=[world.plans[key].pk]),
        lambda role, key: GETS if key == "adopted" else REFUSED,
        targets=("adopted", "draft"),
    ),
    # --- Evidence files: public once published, else only for the assessment's readers ------
    "assessments:evidence_file": Way(
        "evidence file",
        lambda world, target: reverse(
            "assessments:evidence_file",
            args=[(world.public_file if target == "published" else world.secret_files[target]).pk],
        ),
        lambda role, target: GETS if target == "published" or role in readers(target) else REFUSED,
        targets=("published", *TARGETS),
    ),
    # --- The JSON API: published data only, the same for everyone ---------------------------
    "api:cycle_list": api("cycle_list"),
    "api:cycle_scores": api("cycle_scores", 2021),
    "api:scorecard": api("scorecard", 2021, "telavi"),
    "api:methodology": api("methodology", "2020"),
    "api:openapi": api("openapi"),
    "api:plans": api("plans", "telavi"),
    "api:not_found": fixed("/api/v1/nothing/", "API", everyone(REFUSED)),
    # The health check: the same short answer for everyone, naming no more than its checks.
    "healthz": fixed("/healthz", "health check", everyone()),
    # --- Signing in and out, and the language ----------------------------------------------
    "admin:login": sign_in_page(
        "/admin/login/", {"*": GETS, **dict.fromkeys(STAFF_MEMBERS, REDIRECTED)}
    ),
    "monitor:login": sign_in_page("/monitor/login/", {"*": REDIRECTED, "citizen": GETS}),
    # Signing out takes a POST (with its token): a GET is not allowed (and the admin sends
    # whoever is not staff to its index).
    "admin:logout": sign_in_page(
        "/admin/logout/", {"*": REDIRECTED, **dict.fromkeys(STAFF_MEMBERS, 405)}
    ),
    "monitor:logout": sign_in_page("/monitor/logout/", {"*": 405}),
    "set_language": sign_in_page("/i18n/setlang/?next=/en/", {"*": REDIRECTED}),
    "review:login": sign_in_page("/review/login/", {"*": REDIRECTED, "citizen": GETS}),
    "review:logout": sign_in_page("/review/logout/", {"*": 405}),
    # --- The monitor workspace ---------------------------------------------------------------
    "monitor:dashboard": fixed("/monitor/", "monitor workspace page", signed_in()),
    "monitor:assessment": of_workspace("assessment", in_the_workspace(readers)),
    "monitor:area": of_workspace("area", in_the_workspace(readers), extra=("A",), posts=True),
    "monitor:transition": of_workspace("transition", in_the_workspace(movers), posts=True),
    # Action plans, for the monitors of an organisation working in the municipality (Civic
    # Monitor, the CSO monitor's, works in Telavi): someone else's is not found, a draft for
    # no one; whoever belongs to no organisation is told so on the list.
    "monitor:plans": fixed("/monitor/plans/", "monitor workspace page", signed_in()),
    "monitor:plan": Way(
        "object page of a plan (monitor)",
        lambda world, key: reverse("monitor:plan", args=[world.plans[key].pk]),
        signed_in(lambda key: {"cso_monitor"} if key == "adopted" else NOBODY),
        targets=("adopted", "draft"),
    ),
    # The latest report of action 2, which waits for Civic Monitor's verdict.
    "monitor:verdict": Way(
        "object page of a plan (monitor)",
        lambda world, target: reverse("monitor:verdict", args=[world.waiting_report.pk]),
        signed_in(lambda target: {"cso_monitor"}),
        posts=True,
    ),
    "search": search_page(
        {
            "ka": ("ka", "SECRET"),
            "en": ("en", "SECRET"),
            "applications": ("en", "Water for every village"),
        }
    ),
    # --- The grant competition in public: the same for everyone ------------------------------
    "grants:calls": grants_page("calls", both_languages()),
    "grants:call": grants_page(
        "call",
        {
            **both_languages(CALL_SLUGS["open"]),
            "under review": ("en", (CALL_SLUGS["review"],)),
            "decided": ("en", (CALL_SLUGS["decided"],)),
            "hidden": ("en", (CALL_SLUGS["draft"],)),
        },
    ),
    # No PDF is made here (a worker makes them): "being prepared" (202), for everyone.
    "grants:call_pdf": grants_page(
        "call_pdf",
        {**both_languages(CALL_SLUGS["open"], "ka"), "hidden": ("en", (CALL_SLUGS["draft"], "en"))},
        kind="public file",
    ),
    "grants:award": grants_page(
        "award",
        {
            **both_languages(CALL_SLUGS["decided"], APPLICATIONS["awarded"][2]),
            # Submitted, eligible, not awarded: no page of its own.
            "hidden": ("en", (CALL_SLUGS["open"], APPLICATIONS["submitted"][2])),
        },
    ),
    "grants:awards_file": grants_page(
        "awards_file", {**both_languages("csv"), "xlsx": ("en", ("xlsx",))}, kind="public file"
    ),
    "grants_api:call_list": Way(
        "API", lambda world, target: reverse("grants_api:call_list"), everyone()
    ),
    "grants_api:not_found": fixed("/api/v1/grants/nothing/", "API", everyone(REFUSED)),
    # --- The applicant's workspace: an organisation's applications, for its members --------
    # Whoever belongs to no organisation is told so (403); another organisation's
    # application is not found (404); a citizen is sent to the login page.
    "apply:dashboard": fixed(
        "/monitor/grants/", "applicant workspace page", signed_in(lambda target: MONITORS)
    ),
    "apply:start": fixed(
        f"/monitor/grants/calls/{CALL_SLUGS['open']}/start/",
        "applicant workspace page",
        post_only,
        posts=True,
    ),
    "apply:application": of_application("application", applicants, posts=True),
    "apply:attachments": Way(
        "object page of an application (applicant)",
        lambda world, target: reverse("apply:attachments", args=[world.applications["draft"].pk]),
        post_only,
        posts=True,
    ),
    "apply:remove_attachment": Way(
        "object page of an application (applicant)",
        lambda world, target: reverse(
            "apply:remove_attachment",
            args=[world.applications["draft"].pk, world.application_files["draft"].pk],
        ),
        post_only,
        posts=True,
    ),
    # An application's files, also for project staff and a reviewer assigned to it who
    # declared no conflict.
    "apply:attachment": of_application(
        "attachment",
        application_readers,
        record=lambda world, key: world.application_files[key],
    ),
    "apply:report": of_report("report", lambda target: applicants("awarded"), posts=True),
    "apply:report_attachment": of_report(
        "report_attachment", lambda target: applicants("awarded") | PROJECT_STAFF
    ),
    # --- The review workspace: the grant reviewer's assignments, for the reviewer alone -----
    "review:dashboard": fixed(
        "/review/", "review workspace page", signed_in(lambda target: REVIEWERS)
    ),
    # Declared no conflict: on to the application; declared one: told so; not declared: the
    # declaration.
    "review:declare": of_assignment(
        "declare", {"assigned": REDIRECTED, "conflicted": GETS, "undeclared": GETS}, posts=True
    ),
    # Declared no conflict: the application and its scores; declared one: refused; not
    # declared: sent to declare first.
    "review:review": of_assignment(
        "review", {"assigned": GETS, "conflicted": REFUSED, "undeclared": REDIRECTED}, posts=True
    ),
    # --- The admin site ------------------------------------------------------------------------
    "admin:index": fixed("/admin/", ADMIN_SITE, in_admin(lambda t: STAFF_MEMBERS)),
    "admin:password_change": fixed(
        "/admin/password_change/", ADMIN_SITE, in_admin(lambda t: STAFF_MEMBERS), posts=True
    ),
    "admin:password_change_done": fixed(
        "/admin/password_change/done/", ADMIN_SITE, in_admin(lambda t: STAFF_MEMBERS)
    ),
    "admin:jsi18n": fixed("/admin/jsi18n/", ADMIN_SITE, in_admin(lambda t: STAFF_MEMBERS)),
    # Without its parameters it refuses everyone; the searches below give them.
    "admin:autocomplete": fixed("/admin/autocomplete/", ADMIN_SITE, in_admin(lambda t: NOBODY)),
    # No model of the site has an address of its own: "not found", even for staff.
    "admin:view_on_site": Way(
        ADMIN_SITE, view_on_site, in_admin(lambda t: NOBODY), targets=tuple(TARGETS)
    ),
    "admin:app_list": Way(
        ADMIN_SITE,
        lambda world, app: f"/admin/{app}/",
        app_page,
        targets=("auth", "axes", "municipalities", "indicators", "assessments", "grants"),
    ),
    "admin/(?P<url>.*)$": fixed("/admin/nothing-here/", "catch-all", in_admin(lambda t: NOBODY)),
    # --- Telavi's assessments in the admin: Django's pages and the workflow's ------------------
    "admin:assessments_assessment_change": of_assessment("change", readers, posts=True),
    "admin:assessments_assessment_area": of_assessment(
        "area", readers, lambda world, assessment, target: ["A"], posts=True
    ),
    "admin:assessments_assessment_reply": of_assessment(
        "reply", external_only(readers), posts=True
    ),
    "admin:assessments_assessment_transition": of_assessment(
        "transition",
        movers,
        lambda world, assessment, target: [TRANSITION[target[1]]],
        posts=True,
    ),
    "admin:assessments_assessment_full_history": of_assessment("full_history", project_staff_only),
    "admin:assessments_assessment_history": of_assessment("history", project_staff_only),
    "admin:assessments_assessment_simple_history": of_assessment(
        "simple_history",
        project_staff_only,
        lambda world, assessment, target: [first_history_id(assessment)],
        posts=True,
    ),
    "admin:assessments_assessment_delete": of_assessment("delete", project_staff_only, posts=True),
    "admin:assessments_assessment_import": of_assessment("import", enterers, posts=True),
    "admin:assessments_assessment_responses_template": of_assessment(
        "responses_template", enterers
    ),
    # Project staff read an answer there; it changes only through the workflow's pages, and
    # no one deletes one, not even project staff.
    "admin:assessments_response_change": of_answer("change", project_staff_only, posts=True),
    "admin:assessments_response_history": of_answer("history", project_staff_only),
    "admin:assessments_response_simple_history": of_answer(
        "simple_history", project_staff_only, history=True, posts=True
    ),
    "admin:assessments_response_delete": of_answer("delete", lambda t: NOBODY, posts=True),
    # --- Files and pages of the admin for project staff only -----------------------------------
    "admin:assessments_export_download": staff_page(
        "assessments_export_download", lambda world: world.export.pk
    ),
    "admin:auth_user_password_change": staff_page(
        "auth_user_password_change", lambda world: world.people["telavi_staff"].pk, posts=True
    ),
    "admin:municipalities_municipality_import": staff_page(
        "municipalities_municipality_import", posts=True
    ),
    "admin:municipalities_municipality_download": staff_page(
        "municipalities_municipality_download", lambda world: "csv"
    ),
    "admin:municipalities_municipality_import_boundaries": staff_page(
        "municipalities_municipality_import_boundaries", posts=True
    ),
    "admin:municipalities_organization_import": staff_page(
        "municipalities_organization_import", posts=True
    ),
    "admin:municipalities_organization_download": staff_page(
        "municipalities_organization_download", lambda world: "xlsx"
    ),
    "admin:indicators_methodologyversion_template": staff_page(
        "indicators_methodologyversion_template"
    ),
    "admin:indicators_methodologyversion_export": staff_page(
        "indicators_methodologyversion_export", lambda world: world.methodology.pk
    ),
    "admin:indicators_methodologyversion_import": staff_page(
        "indicators_methodologyversion_import", lambda world: world.methodology.pk, posts=True
    ),
    # The grant competition's steps and files: project staff only (municipal staff 403).
    "admin:grants_application_eligibility": staff_page(
        "grants_application_eligibility",
        lambda world: world.applications["submitted"].pk,
        posts=True,
    ),
    "admin:grants_application_assign": staff_page(
        "grants_application_assign", lambda world: world.applications["submitted"].pk, posts=True
    ),
    "admin:grants_application_moderate": staff_page(
        "grants_application_moderate", lambda world: world.applications["assigned"].pk, posts=True
    ),
    "admin:grants_application_decide": staff_page(
        "grants_application_decide", lambda world: world.applications["assigned"].pk, posts=True
    ),
    "admin:grants_application_agreement": staff_page(
        "grants_application_agreement", lambda world: world.applications["awarded"].pk
    ),
    "admin:grants_call_step": staff_page(
        "grants_call_step",
        lambda world: world.calls["review"].pk,
        lambda world: "close_decisions",
        posts=True,
    ),
    "admin:grants_call_ranking": staff_page(
        "grants_call_ranking", lambda world: world.calls["review"].pk
    ),
    "admin:grants_call_export": staff_page(
        "grants_call_export", lambda world: world.calls["decided"].pk, posts=True
    ),
    "admin:grants_callexport_download": staff_page(
        "grants_callexport_download", lambda world: world.call_export.pk
    ),
    "admin:grants_report_review": staff_page(
        "grants_report_review", lambda world: world.reports["interim"].pk, posts=True
    ),
    # --- Action plans: the municipality's in the admin, the monitor's verdicts ---------------
    "admin:assessments_actionplan_adopt": of_plan("actionplan_adopt", ("draft",), posts=True),
    "admin:assessments_actionplan_close": of_plan("actionplan_close", ("adopted",), posts=True),
    # The approving order: the draft's carries the plan secret.
    "admin:assessments_actionplan_order": of_plan("actionplan_order", ("adopted", "draft")),
    "admin:assessments_action_report": of_plan(
        "action_report", ("adopted",), record=lambda world, key: world.plan_actions[key], posts=True
    ),
    "admin:assessments_action_answer": of_plan(
        "action_answer",
        ("adopted",),
        record=lambda world, key: world.plan_actions[key],
        extra=lambda world: [world.plan_verdict.pk],
        posts=True,
    ),
    "admin:grants_report_attachment": staff_page(
        "grants_report_attachment",
        lambda world: world.reports["interim"].pk,
        lambda world: world.report_file.pk,
    ),
}


# --- Django's stock admin pages of every registered model, classified by pattern -----------

STOCK_PAGES = ("changelist", "add", "change", "delete", "history")
# What even project staff may not do in the admin (DESIGN.md, "Trust rules": answers and
# snapshots change only through the workflow, PDFs and exports only in their tasks; sign-in
# records are written by django-axes alone; a methodology version with published results is
# frozen; the role groups are made by the code; people are deactivated, never deleted).
REFUSED_TO_PROJECT_STAFF = {
    ("auth", "group"): set(STOCK_PAGES),
    ("auth", "user"): {"delete"},
    **{
        ("indicators", model): {"delete"}
        for model in ("methodologyversion", "thematicarea", "criterion", "indicator", "gradeband")
    },
    ("assessments", "rendering"): {"add", "delete"},
    ("assessments", "export"): {"add"},
    ("assessments", "response"): {"add", "delete"},
    ("assessments", "scoresnapshot"): {"add", "delete"},
    ("axes", "accessattempt"): {"add"},
    ("axes", "accesslog"): {"add"},
    # An application is made by its organisation; only a draft may be deleted (the stock
    # pages are tried on the world's first application, a draft). A call that has been
    # public stays on record. Reports come with the award and change only by the review
    # step; exports are made by their task (grants/admin/*.py).
    ("grants", "application"): {"add"},
    ("grants", "call"): {"delete"},
    ("grants", "report"): {"add", "delete"},
    ("grants", "callexport"): {"add"},
    # An adopted plan is never deleted, nor its actions (the samples are Telavi's adopted
    # plan and its first action); reports and verdicts are made by their steps alone.
    ("assessments", "actionplan"): {"delete"},
    ("assessments", "action"): {"delete"},
    ("assessments", "actionupdate"): {"add", "delete"},
    ("assessments", "verdict"): {"add", "delete"},
}
# Municipal staff work on their own assessments in the admin, and on their municipality's
# action plans; the sample plan and action are Telavi's.
OPEN_TO_MUNICIPAL_STAFF = {
    ("assessments", "assessment"): {"changelist"},
    ("assessments", "actionplan"): {"changelist", "add"},
    ("assessments", "action"): {"changelist", "add"},
}
OPEN_TO_TELAVI_STAFF = {
    ("assessments", "actionplan"): {"change", "history"},
    ("assessments", "action"): {"change", "history"},
}


def registered_models() -> list[tuple[str, str]]:
    return sorted((m._meta.app_label, m._meta.model_name) for m in admin.site._registry)


def stock_outcome(app, model, page):
    def outcome(role, target):
        if role not in STAFF_MEMBERS:
            return REFUSED  # sent to the admin's login page
        if page == "bare":
            return REDIRECTED  # to the change page, which decides
        if role == "project_staff":
            return REFUSED if page in REFUSED_TO_PROJECT_STAFF.get((app, model), ()) else GETS
        if role == "telavi_staff" and page in OPEN_TO_TELAVI_STAFF.get((app, model), ()):
            return GETS
        return GETS if page in OPEN_TO_MUNICIPAL_STAFF.get((app, model), ()) else REFUSED

    return outcome


def sample_pk(world, app, model):
    """One record of the model, for its object pages (a user: Telavi's staff member)."""
    if (app, model) == ("auth", "user"):
        return world.people["telavi_staff"].pk
    model_class = next(m for m in admin.site._registry if m._meta.label_lower == f"{app}.{model}")
    return model_class._default_manager.order_by("pk").values_list("pk", flat=True).first()


def stock_address(app, model, page):
    def address(world, target):
        if page in ("changelist", "add"):
            return reverse(f"admin:{app}_{model}_{page}")
        pk = sample_pk(world, app, model)
        if page == "bare":
            return f"/admin/{app}/{model}/{pk}/"
        return reverse(f"admin:{app}_{model}_{page}", args=[pk])

    return address


def stock_key(app, model, page):
    """The name of the pattern (the one that redirects to the change page has none)."""
    if page == "bare":
        return f"admin/{app}/{model}/<path:object_id>/"
    return f"admin:{app}_{model}_{page}"


for _app, _model in registered_models():
    for _page in (*STOCK_PAGES, "bare"):
        # Telavi's assessments and answers have their own rows above.
        TABLE.setdefault(
            stock_key(_app, _model, _page),
            Way(
                "stock admin page of a model",
                stock_address(_app, _model, _page),
                stock_outcome(_app, _model, _page),
                posts=_page in ("changelist", "add", "change", "delete"),
            ),
        )


# --- The table is complete ------------------------------------------------------------------


def url_patterns(resolver=None, prefix="", namespace=""):
    """(key, route) of every URL pattern: the key is its namespaced name, or its route
    (without the language prefix) when it has none, as a few of Django's admin have."""
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            scope = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            yield from url_patterns(pattern, route, scope)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield (name if pattern.name else re.sub(r"^(ka|en)/", "", route)), route


def test_the_table_names_every_url_pattern_of_the_site():
    patterns = dict(url_patterns())
    assert sorted(key for key in patterns if key not in TABLE) == [], "add them to TABLE"
    assert sorted(key for key in TABLE if key not in patterns) == [], "gone from the site"


def test_the_table_tries_every_model_admin_and_every_portal_page_in_both_languages():
    for app, model in registered_models():
        for page in (*STOCK_PAGES, "bare"):
            assert stock_key(app, model, page) in TABLE, (app, model, page)
    for key, way in TABLE.items():
        if key.startswith(("assessments:", "grants:")) and way.kind.startswith("public"):
            assert way.targets[:2] == ("ka", "en"), key
        for target in way.targets:
            for role in ROLES:
                assert way.outcome(role, target) in (GETS, REFUSED, REDIRECTED, 405), key


# --- Every person × every address ---------------------------------------------------------


def outcome_of(answer):
    if answer.status in (403, 404):
        return REFUSED
    if answer.status == 302:
        return REFUSED if "/login/" in answer.location else REDIRECTED
    if 200 <= answer.status < 300:
        return GETS
    return answer.status


def addresses(world):
    for key, way in TABLE.items():
        for target in way.targets:
            yield key, way, target, way.address(world, target)


@pytest.mark.parametrize("role", ROLES)
def test_each_person_gets_exactly_the_pages_their_role_allows(world, browsers, role):
    browser = browsers[role]
    hidden = [target for target in TARGETS if role not in readers(target)]
    hidden_grants = grant_secrets_hidden_from(world, role)
    wrong = []
    for key, way, target, path in addresses(world):
        answer = browser.get(path)
        expected, got = way.outcome(role, target), outcome_of(answer)
        if got != expected:
            wrong.append(f"{key} {target}: {path} {got} ({answer.status}), expected {expected}")
        for secret, links in hidden_grants.items():
            if secret.encode() in answer.body:
                wrong.append(f"{key} {target}: {path} shows {secret!r}")
            for link in links:
                if answer.status == 200 and link.encode() in answer.body:
                    wrong.append(f"{key} {target}: {path} links to {link} ({secret!r})")
        for secret_target in hidden:
            if secret_of(secret_target).encode() in answer.body:
                wrong.append(f"{key}: {path} shows the secret of {secret_target}")
            pk = world.assessment(*secret_target).pk
            for link in (f"/assessment/{pk}/change/", f"/monitor/assessments/{pk}/"):
                if answer.status == 200 and link.encode() in answer.body:
                    wrong.append(f"{key}: {path} links to {secret_target}: {link}")
        if role != "project_staff" and b"EXPORT-SECRET" in answer.body:
            wrong.append(f"{key}: {path} shows the staff export")
    assert not wrong, "\n".join(wrong)


def grant_secrets_hidden_from(world, role) -> dict[str, list[str]]:
    """The grant competition's secrets the person may not read, each with the addresses
    of the application it belongs to (its pages in the workspace and the admin), which no
    page of theirs may link to either."""
    hidden = {}
    for key, application in world.applications.items():
        if role not in application_readers(key):
            hidden[grant_secret_of(key)] = [
                f"/monitor/grants/{application.pk}/",
                f"/admin/grants/application/{application.pk}/change/",
                reverse("apply:attachment", args=[world.application_files[key].pk]),
            ]
    for secret, secret_readers in GRANT_SECRETS.items():
        if role not in secret_readers:
            hidden[secret] = []
    if role not in PLAN_READERS:
        draft = world.plans["draft"]
        hidden[PLAN_SECRET] = [
            f"/admin/assessments/actionplan/{draft.pk}/change/",
            f"/admin/assessments/action/{world.plan_actions['draft'].pk}/change/",
        ]
    return hidden


def test_the_secrets_are_really_there_for_those_who_may_read_them(world, browsers):
    """Without this, a site that showed no one anything would pass the test above."""
    for target in TARGETS:
        pk = world.assessment(*target).pk
        for role in readers(target):
            if role == "cso_monitor":
                area, overview = (
                    f"/monitor/assessments/{pk}/areas/A/",
                    f"/monitor/assessments/{pk}/",
                )
            else:
                area = reverse("admin:assessments_assessment_area", args=[pk, "A"])
                overview = reverse("admin:assessments_assessment_change", args=[pk])
            assert secret_of(target) in browsers[role].get(area).text, (role, target)
            if target[1] == REVIEW:
                comment = f"{secret_of(target)} comment"
                assert comment in browsers[role].get(overview).text, (role, target)
            evidence = reverse("assessments:evidence_file", args=[world.secret_files[target].pk])
            assert secret_of(target).encode() in browsers[role].get(evidence).body
    export = reverse("admin:assessments_export_download", args=[world.export.pk])
    assert b"EXPORT-SECRET" in browsers["project_staff"].get(export).body


def where_the_application_is_read(world, role, key) -> str:
    """The page on which a reader of an application reads it."""
    application = world.applications[key]
    if role == "project_staff":
        return reverse("admin:grants_application_change", args=[application.pk])
    if role == "grant_reviewer":
        return reverse("review:review", args=[world.assignments[key].pk])
    return reverse("apply:application", args=[application.pk])


def test_the_grant_secrets_are_really_there_for_those_who_may_read_them(world, browsers):
    """Without this, a grant competition that showed no one anything would pass."""
    for key in APPLICATIONS:
        secret = grant_secret_of(key)
        attachment = reverse("apply:attachment", args=[world.application_files[key].pk])
        for role in application_readers(key):
            page = browsers[role].get(where_the_application_is_read(world, role, key))
            assert secret in page.text, (role, key, page)
            assert secret.encode() in browsers[role].get(attachment).body, (role, key)
    review = world.assignments["assigned"]
    for role, path in (
        ("grant_reviewer", reverse("review:review", args=[review.pk])),
        ("project_staff", where_the_application_is_read(world, "project_staff", "assigned")),
    ):
        assert REVIEW_SECRET in browsers[role].get(path).text, role
    interim, document = world.reports["interim"], world.report_file
    for role, path in (
        ("other_monitor", reverse("apply:report", args=[interim.pk])),
        ("project_staff", reverse("admin:grants_report_change", args=[interim.pk])),
    ):
        assert REPORT_SECRET in browsers[role].get(path).text, role
    for role, path in (
        ("other_monitor", reverse("apply:report_attachment", args=[document.pk])),
        ("project_staff", reverse("apply:report_attachment", args=[document.pk])),
        (
            "project_staff",
            reverse("admin:grants_report_attachment", args=[interim.pk, document.pk]),
        ),
    ):
        assert REPORT_SECRET.encode() in browsers[role].get(path).body, (role, path)
    award = world.applications["awarded"]
    agreement = reverse("admin:grants_application_agreement", args=[award.pk])
    assert AGREEMENT_SECRET.encode() in browsers["project_staff"].get(agreement).body
    download = reverse("admin:grants_callexport_download", args=[world.call_export.pk])
    assert b"GRANTS-EXPORT-SECRET" in browsers["project_staff"].get(download).body


def test_the_plan_secret_is_really_there_for_those_who_may_read_it(world, browsers):
    """Without this, a draft plan that no one could open would pass the tests above."""
    action = reverse("admin:assessments_action_change", args=[world.plan_actions["draft"].pk])
    order = reverse("admin:assessments_actionplan_order", args=[world.plans["draft"].pk])
    for role in PLAN_READERS:
        assert PLAN_SECRET in browsers[role].get(action).text, role
        assert PLAN_SECRET.encode() in browsers[role].get(order).body, role


def test_a_public_page_is_the_same_for_everyone(world, browsers):
    for key, way, _target, path in addresses(world):
        if way.kind.startswith("public") or way.kind == "API":
            statuses = {role: browsers[role].get(path).status for role in ROLES}
            assert len(set(statuses.values())) == 1, (key, statuses)


# --- Lists and searches show only what a person may read -------------------------------------


@pytest.mark.parametrize("role", ["telavi_staff", "sighnaghi_staff", "project_staff"])
def test_the_admin_s_search_offers_only_the_assessments_a_person_may_read(world, browsers, role):
    answer = browsers[role].get(
        "/admin/autocomplete/?app_label=assessments&model_name=response&field_name=assessment"
        "&term=telavi"
    )

    assert answer.status == 200, answer
    offered = {int(item["id"]) for item in answer.json()["results"]}
    for target in TARGETS:
        assert (world.assessment(*target).pk in offered) == (role in readers(target)), target


# Searches the admin's forms make, for people, indicators and organisations.
OTHER_SEARCHES = [
    "app_label=municipalities&model_name=organizationmembership&field_name=user",
    "app_label=assessments&model_name=response&field_name=indicator",
    "app_label=assessments&model_name=assessment&field_name=organization",
]


@pytest.mark.parametrize("search", OTHER_SEARCHES)
def test_the_admin_s_search_finds_municipal_staff_no_user_indicator_or_organisation(
    browsers, search
):
    for role in ("telavi_staff", "sighnaghi_staff"):
        assert browsers[role].get(f"/admin/autocomplete/?{search}&term=a").status == 403, role
    assert browsers["project_staff"].get(f"/admin/autocomplete/?{search}&term=a").status == 200


@pytest.mark.parametrize("role", ["cso_monitor", "other_monitor", "grant_reviewer"])
def test_the_monitor_s_list_shows_only_the_person_s_own_organisation_s_work(world, browsers, role):
    page = browsers[role].get("/monitor/?q=telavi").text

    for target in TARGETS:
        link = f"/monitor/assessments/{world.assessment(*target).pk}/"
        assert (link in page) == (role in in_the_workspace(readers)(target)), target


@pytest.mark.parametrize("role", ["cso_monitor", "other_monitor"])
def test_the_applicant_s_list_shows_only_the_person_s_own_organisation_s_applications(
    world, browsers, role
):
    page = browsers[role].get("/monitor/grants/").text

    for key, application in world.applications.items():
        link = f"/monitor/grants/{application.pk}/"
        assert (link in page) == (role in applicants(key)), key


def test_the_reviewer_s_list_shows_the_reviewer_s_assignments_and_nothing_of_the_applications(
    world, browsers
):
    page = browsers["grant_reviewer"].get("/review/").text
    assigned, conflicted, undeclared = (
        world.assignments[key].pk for key in ("assigned", "conflicted", "undeclared")
    )

    for key in ASSIGNMENTS:
        assert APPLICATIONS[key][2] in page, key  # the reference
    # On to the scores, to the declaration first, and nowhere when excluded.
    assert f'href="/review/{assigned}/"' in page
    assert f'href="/review/{undeclared}/declare/"' in page
    assert f"/review/{conflicted}/" not in page
    for key in APPLICATIONS:
        assert grant_secret_of(key) not in page, key
