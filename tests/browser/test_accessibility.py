"""WCAG 2.1 AA on every kind of page, in both languages, on a desktop and on a phone.

Two independent checkers read the pages of the seeded demo:
- axe-core (npm `axe-core`), injected into Chromium, reports every violation of the rules
  tagged wcag2a, wcag2aa, wcag21a and wcag21aa, as the page is drawn at 1280 and 390 px;
  at 390 px the page must not scroll sideways either;
- the W3C Nu HTML checker (npm `vnu-jar`, run with Java) reads the HTML the server sent.

Neither is vendored: `.ci/run` installs both with npm into var/a11y/, where the tests look
for them unless MUSQAT_AXE_JS (axe.min.js) and MUSQAT_VNU_JAR (vnu.jar) say otherwise. When
one is missing its tests are skipped, unless MUSQAT_REQUIRE_BROWSER=1 (as in CI).

Workspace pages (the monitor's, the reviewers', the admin) have no language in their
address; they are read in each language through the language cookie.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser.conftest import REPO, _browser_required
from tests.browser.test_portal import OVERFLOW

pytestmark = pytest.mark.browser

TOOLS = REPO / "var" / "a11y" / "node_modules"
AXE_JS = Path(os.environ.get("MUSQAT_AXE_JS") or TOOLS / "axe-core" / "axe.min.js")
VNU_JAR = Path(os.environ.get("MUSQAT_VNU_JAR") or TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar")
PASSWORD = "musqat-demo"
LANGUAGES = ("ka", "en")
WIDTHS = (1280, 390)
HEIGHT = 900
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Who reads each page, and its address: "{lang}" is the language prefix of a public page,
# the other names come from the seeded demo (the `ids` fixture).
PAGES = {
    "home": (None, "/{lang}/"),
    "municipality-list": (None, "/{lang}/municipalities/"),
    "municipality": (None, "/{lang}/municipalities/telavi/"),
    "scorecard": (None, "/{lang}/scorecards/2021/telavi/"),
    "scorecard-gaps": (None, "/{lang}/scorecards/2021/telavi/?show=gaps"),
    "scorecard-area": (None, "/{lang}/scorecards/2021/telavi/?area=B"),
    "search": (None, "/{lang}/search/?q=%E1%83%AC%E1%83%A7%E1%83%90%E1%83%9A"),
    "embed": (None, "/{lang}/embed/telavi/"),
    "compare": (None, "/{lang}/compare/?cycle=2021&m=sighnaghi&m=telavi&m=kvareli"),
    "area": (None, "/{lang}/areas/2021/A/"),
    "methodology": (None, "/{lang}/methodology/"),
    "about": (None, "/{lang}/about/"),
    "open-data": (None, "/{lang}/data/"),
    "api": (None, "/{lang}/api/"),
    "grant-calls": (None, "/{lang}/grants/"),
    "grant-call": (None, "/{lang}/grants/2021-advocacy/"),
    "grant-award": (None, "/{lang}/grants/2021-advocacy/awards/{award}/"),
    "plan": (None, "/{lang}/municipalities/telavi/plan/"),
    "plans": (None, "/{lang}/plans/2021/"),
    "revisions": (None, "/{lang}/scorecards/2021/telavi/revisions/"),
    "monitor-dashboard": ("cso-monitor", "/monitor/"),
    "monitor-area": ("cso-monitor", "/monitor/assessments/{external}/areas/A/"),
    "monitor-plans": ("cso-monitor", "/monitor/plans/"),
    "review-dashboard": ("grant-reviewer", "/review/"),
    "admin-index": ("telavi-staff", "/admin/"),
    # Project staff's home: the review queue, what is overdue, failed PDFs, grant reports.
    "admin-staff-index": ("project-staff", "/admin/"),
    "admin-assessment": ("telavi-staff", "/admin/assessments/assessment/{self}/change/"),
    "admin-data-entry": ("telavi-staff", "/admin/assessments/assessment/{self}/areas/A/"),
    "admin-plan": ("telavi-staff", "/admin/assessments/actionplan/{plan}/change/"),
    "admin-action": ("telavi-staff", "/admin/assessments/action/{action}/change/"),
    # A new action: the admin's date widgets, empty.
    "admin-action-add": ("telavi-staff", "/admin/assessments/action/add/"),
    # Project staff's forms: autocomplete boxes, inlines, the methodology and grants.
    "admin-staff-assessment": ("project-staff", "/admin/assessments/assessment/{external}/change/"),
    "admin-cycle": ("project-staff", "/admin/assessments/cycle/{cycle}/change/"),
    "admin-indicator": ("project-staff", "/admin/indicators/indicator/{indicator}/change/"),
    "admin-organization": (
        "project-staff",
        "/admin/municipalities/organization/{organization}/change/",
    ),
    "admin-membership-add": ("project-staff", "/admin/municipalities/municipalitymembership/add/"),
    "admin-grant-call": ("project-staff", "/admin/grants/call/{call}/change/"),
    "admin-application": ("project-staff", "/admin/grants/application/{application}/change/"),
    "admin-user": ("project-staff", "/admin/auth/user/{user}/change/"),
}
LOGIN = {"cso-monitor": "/monitor/login/", "grant-reviewer": "/review/login/"}

# axe's findings, one line per rule, naming a few of the elements and why they fail.
AXE_RUN = """async (tags) => {
    const results = await axe.run(document, {
        runOnly: {type: "tag", values: tags},
        // Also: all content inside landmarks (best practice, not a WCAG criterion), so that
        // nothing, the demonstration notice included, is skipped by landmark navigation.
        rules: {region: {enabled: true}},
        resultTypes: ["violations"],
    });
    return results.violations.map((v) => ({
        rule: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => ({
            target: n.target.join(" "),
            why: (n.failureSummary || "").split("\\n").slice(1, 3).join(" ").trim(),
        })),
    }));
}"""


def _tool_or_skip(path: Path, what: str) -> Path:
    if path.is_file():
        return path
    reason = f"{what} not found at {path} (npm install --prefix var/a11y, see .ci/run)"
    if _browser_required():
        pytest.fail(f"MUSQAT_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def axe_js() -> Path:
    """axe-core, found before anything is seeded or launched."""
    return _tool_or_skip(AXE_JS, "axe-core")


@pytest.fixture(scope="module")
def vnu() -> list[str]:
    """The command that starts the Nu checker, found before anything is seeded or launched."""
    jar = _tool_or_skip(VNU_JAR, "the Nu HTML checker (vnu.jar)")
    java = shutil.which("java")
    if java is None:
        if _browser_required():
            pytest.fail("MUSQAT_REQUIRE_BROWSER=1 but java is missing", pytrace=False)
        pytest.skip("java is missing (apt-get install default-jre-headless)")
    return [java, "-jar", str(jar)]


@pytest.fixture(scope="module")
def ids(site):
    """The demo's objects that the workspace pages show, read before Chromium starts."""
    from django.contrib.auth import get_user_model

    from assessments.models import Action, ActionPlan, Assessment, Cycle, PlanStatus
    from grants.models import Application, Call, Decision
    from indicators.models import Indicator
    from municipalities.models import Organization

    draft = Assessment.objects.filter(cycle__year=2022, municipality__slug="telavi")
    award = Application.objects.filter(call__slug="2021-advocacy", decision=Decision.AWARDED)
    plan = ActionPlan.objects.get(municipality__slug="telavi", status=PlanStatus.ADOPTED)
    return {
        "self": draft.get(kind="self").pk,
        "external": draft.get(kind="external").pk,
        "plan": plan.pk,
        # An action with progress reports and the monitors' verdicts on them: the most to show.
        "action": Action.objects.filter(plan=plan, updates__verdicts__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first(),
        "award": award.order_by("reference").values_list("reference", flat=True).first(),
        "cycle": Cycle.objects.get(year=2022).pk,
        "indicator": Indicator.objects.order_by("pk").values_list("pk", flat=True).first(),
        "organization": Organization.objects.order_by("pk").values_list("pk", flat=True).first(),
        "call": Call.objects.get(slug="2021-advocacy").pk,
        "application": award.order_by("reference").values_list("pk", flat=True).first(),
        "user": get_user_model().objects.get(username="telavi-staff").pk,
    }


@pytest.fixture(scope="module")
def tabs(browser, site):
    """One tab per person (a citizen, or a signed-in user), opened on first use and kept."""
    opened = {}

    def tab(who):
        if who in opened:
            return opened[who]
        # axe is injected as a script, which the Content-Security-Policy would refuse.
        context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": HEIGHT})
        page = context.new_page()
        if who:
            page.goto(site + LOGIN.get(who, "/admin/login/"))
            page.locator("input[name=username]").fill(who)
            page.locator("input[name=password]").fill(PASSWORD)
            with page.expect_navigation():
                page.locator("input[name=password]").press("Enter")
            assert "/login/" not in page.url, f"{who} could not sign in: {page.url}"
        opened[who] = page
        return page

    yield tab
    for page in opened.values():
        page.context.close()


def address(name, language, ids):
    who, path = PAGES[name]
    return who, path.format(lang=language, **ids)


def open_page(tab, site, name, language, ids):
    """The page in `language`, loaded in its reader's tab; returns the tab."""
    who, path = address(name, language, ids)
    page = tab(who)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": site}])
    response = page.goto(site + path)
    assert response.status == 200, f"{name} ({path}) answered {response.status}"
    assert page.locator("html").get_attribute("lang") == language, f"{name} ({path})"
    page.evaluate("document.fonts.ready.then(() => true)")
    return page


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_wcag_violation(axe_js, ids, tabs, site, name, language, width):
    page = tabs(PAGES[name][0])
    page.set_viewport_size({"width": width, "height": HEIGHT})
    page = open_page(tabs, site, name, language, ids)
    page.add_script_tag(path=str(axe_js))
    violations = page.evaluate(AXE_RUN, WCAG_TAGS)
    where = f"{name} {address(name, language, ids)[1]} at {width} px"
    report = "\n".join(
        f"  {v['rule']} ({v['impact']}): {v['help']}\n"
        + "\n".join(f"    {n['target']}  {n['why']}" for n in v["nodes"][:8])
        + (f"\n    … and {len(v['nodes']) - 8} more" if len(v["nodes"]) > 8 else "")
        for v in violations
    )
    assert not violations, f"axe: {where} violates WCAG 2.1 AA:\n{report}"
    if width < 576:
        fit = page.evaluate(OVERFLOW)
        assert fit["scrollWidth"] <= fit["innerWidth"], f"{where} scrolls sideways: {fit}"


@pytest.fixture(scope="module")
def nu_errors(vnu, ids, tabs, site, tmp_path_factory):
    """The Nu checker's errors per (page, language): every page's HTML as the server sent it,
    checked in one run of the checker."""
    folder = tmp_path_factory.mktemp("nu")
    files = {}
    refused = {}  # a page that did not answer 200 fails on its own, not the whole run
    for name in PAGES:
        for language in LANGUAGES:
            who, path = address(name, language, ids)
            page = tabs(who)
            page.context.add_cookies([{"name": "django_language", "value": language, "url": site}])
            response = page.request.get(site + path)
            if response.status != 200:
                refused[(name, language)] = [f"{path} answered {response.status}"]
                continue
            file = folder / f"{name}.{language}.html"
            file.write_bytes(response.body())
            files[file.name] = (name, language)
    checked = subprocess.run(
        [*vnu, "--format", "json", "--errors-only", *map(str, sorted(folder.iterdir()))],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(checked.stderr)["messages"]
    errors = {key: [] for key in files.values()} | refused
    for message in messages:
        key = files.get(message.get("url", "").rsplit("/", 1)[-1])
        assert key, f"the Nu checker could not check the pages: {message}"
        errors[key].append(
            f"line {message.get('lastLine')}: {message['message']}"
            f"  [{message.get('extract', '').strip()[:100]}]"
        )
    return errors


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", list(PAGES))
def test_the_nu_checker_finds_no_html_error(nu_errors, name, language):
    found = nu_errors[(name, language)]
    report = "\n".join(f"  {line}" for line in found[:25])
    more = f"\n  … and {len(found) - 25} more" if len(found) > 25 else ""
    assert not found, f"Nu: {name} in {language} has {len(found)} HTML errors:\n{report}{more}"
