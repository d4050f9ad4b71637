"""Script and formula injection: whatever people type is shown as text everywhere.

The people of the world write attacks into every free-text field they can, through the
live site's own forms, as the workflow goes: Telavi's staff into the self-assessment (its
evidence in both languages, a reason it does not apply, links, an evidence file's name)
and into their replies; the CSO monitor into the external assessment; project staff into
review comments, the note of a returned assessment, the public notes of a correction, and
the names of the municipality, the CSO, an area and an indicator (before the methodology's
first publication freezes them). Then everything is published and each place that shows
the text is read: the public pages in Georgian and English, the monitor workspace, the
admin, the scorecard CSV, open data as CSV and XLSX, the staff workbook, the import
templates, the API and the PDF. In the grant competition, project staff name a call, the
CSO monitor writes an application (and names its document) in the workspace, the grant
reviewer comments on it and staff give the decision's reason and the register's summary;
the public grant pages, the awards as CSV and XLSX, the API, the workspaces and the admin
are read in turn.

Escaped means: the markup never comes back as markup in a page (no raw `<script>` or
`<img … onerror>`, no `href="javascript:`), and the text does come back, escaped. A
spreadsheet formula stays inert: a CSV cell keeps a leading apostrophe, an XLSX cell is a
string. The API returns the text as the JSON string that was typed, never as HTML.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import subprocess
import tempfile
import urllib.parse
from html.parser import HTMLParser

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from assessments.models import Document, Response
from assessments.pdf import documents, jobs
from assessments.workflow import Status
from grants import services
from grants.models import Application, CallStage
from indicators.models import Indicator, ThematicArea
from tests.assessments.conftest import PDF, bring_to

from .client import Form
from .conftest import PUBLISHED_YEAR, World, assessment_of, build_people_and_places, grant_call

YEAR = PUBLISHED_YEAR


def attack(field: str, start: str = "=") -> str:
    """A formula (a spreadsheet runs text that starts with = + - @), then markup; both name
    the field, so that a test can tell where each one surfaced."""
    return (
        f'{start}HYPERLINK("http://evil.example","{field}")<script>alert("{field}")</script>'
        f'"><img src=x onerror=alert("{field}")> javascript:alert(1)'
    )


def short_attack(field: str) -> str:
    """The markup alone, for names (a municipality's name is at most 100 characters)."""
    return f'{field}<script>alert("{field}")</script>"><img src=x onerror=alert(1)>'


# What each person types; the key names the field (and the person, where two write it).
TYPED = {
    # Telavi's self-assessment, A.1.1 answered and A.1.2 not applicable.
    "self_evidence": attack("self_evidence"),
    "self_evidence_en": attack("self_evidence_en", "+"),
    "self_na_reason": attack("self_na_reason", "-"),
    "self_na_reason_en": attack("self_na_reason_en", "@"),
    # The CSO's external assessment, A.1.1 answered and A.2.1 not applicable.
    "external_evidence": attack("external_evidence"),
    "external_evidence_en": attack("external_evidence_en"),
    "external_na_reason": attack("external_na_reason"),
    "external_na_reason_en": attack("external_na_reason_en"),
    # Telavi's reply to the CSO's finding on A.1.1.
    "reply": attack("reply"),
    "reply_en": attack("reply_en"),
    # Project staff.
    "comment": attack("comment"),
    "return_note": attack("return_note"),
    "note_ka": attack("note_ka"),
    "note_en": attack("note_en"),
    "municipality_ka": short_attack("mka"),
    "municipality_en": short_attack("men"),
    "official_name_en": short_attack("official_name_en"),
    "organization_en": short_attack("organization_en"),
    "organization_ka": short_attack("organization_ka"),
    "area_en": short_attack("area_en"),
    "indicator_en": short_attack("indicator_en"),
    "indicator_ka": short_attack("indicator_ka"),
}
# A web address the links field accepts (http, no spaces) that would break out of href="…".
LINK = 'https://evil.example/?q="><script>alert("link")</script>'
# An evidence file named as markup (a name has no "/", so no closing tag).
FILE_NAME = "<img src=x onerror=alert('file')>.pdf"
REFUSED_LINKS = ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>"]


# --- The world, and everything typed into it through the live site --------------------------


@pytest.fixture(scope="module")
def world(site):
    """People and places, Telavi's two assessments of 2021 as drafts, and Sighnaghi's
    published, plain (so that rankings and the comparison have two municipalities)."""
    world = build_people_and_places(World(site))
    telavi, sighnaghi = world.places["telavi"], world.places["sighnaghi"]
    world.self = assessment_of(world, telavi, YEAR, "self")
    world.external = assessment_of(world, telavi, YEAR, "external")
    world.sighnaghi = [assessment_of(world, sighnaghi, YEAR, kind) for kind in ("self", "external")]
    return world


def indicator_pk(world, code):
    return Indicator.objects.get(code=code, criterion__area__version=world.methodology).pk


def admin_change(browser, path, changes):
    """Open an admin change form, change some fields, save it."""
    form = Form.main(browser.get(path))
    form.fields.update(changes)
    saved = browser.post(path, form.pairs(), token=False)
    assert saved.status == 302, (
        path,
        saved,
        re.findall(r'class="errorlist[^"]*">(.*?)</ul>', saved.text, re.S),
    )
    return saved


def save_area(world, browser, path, answers, files=()):
    """Open an area page of answer forms, fill them in, save the draft."""
    page = browser.get(path)
    assert page.status == 200, page
    form = Form.main(page)
    for code, fields in answers.items():
        pk = indicator_pk(world, code)
        form.fields.update({f"i{pk}-{name}": value for name, value in fields.items()})
    form.fields["save"] = "1"
    files = [(f"i{indicator_pk(world, code)}-new_files", name, PDF) for code, name in files]
    saved = browser.post(path, form.pairs(), files=files, token=False)
    assert saved.status == 302, (path, saved, re.findall(r"errorlist.*?</ul>", saved.text, re.S))


def step(browser, assessment, action, data=None, *, monitor=False):
    """Make a workflow step on its confirmation page."""
    if monitor:
        path = reverse("monitor:transition", args=[assessment.pk])
        data = {"action": action, **(data or {})}
    else:
        path = reverse("admin:assessments_assessment_transition", args=[assessment.pk, action])
    done = browser.post(path, data or {})
    assert done.status == 302, (action, done, re.findall(r"errorlist.*?</ul>", done.text, re.S))
    assessment.refresh_from_db()


def return_with_comment(world, browser, assessment):
    step(
        browser,
        assessment,
        "return",
        {
            "note": TYPED["return_note"],
            "comments-TOTAL_FORMS": "1",
            "comments-INITIAL_FORMS": "0",
            "comments-0-indicator": str(indicator_pk(world, "A.1.1")),
            "comments-0-text": TYPED["comment"],
        },
    )


@pytest.fixture(scope="module")
def typed(world):
    """Everything typed, through the pages; returns the pages read while the returned
    assessments' comments were still open (they close with the next submission)."""
    staff, telavi, monitor = (world.of(r) for r in ("project_staff", "telavi_staff", "cso_monitor"))
    self_, external = world.self, world.external

    # Project staff name things, before the methodology's first publication freezes it.
    admin_change(
        staff,
        reverse("admin:municipalities_municipality_change", args=[world.places["telavi"].pk]),
        {
            "name_ka": TYPED["municipality_ka"],
            "name_en": TYPED["municipality_en"],
            "official_name_en": TYPED["official_name_en"],
        },
    )
    admin_change(
        staff,
        reverse("admin:municipalities_organization_change", args=[world.cso.pk]),
        {"name_en": TYPED["organization_en"], "name_ka": TYPED["organization_ka"]},
    )
    area = ThematicArea.objects.get(version=world.methodology, code="A")
    admin_change(
        staff,
        reverse("admin:indicators_thematicarea_change", args=[area.pk]),
        {"name_en": TYPED["area_en"]},
    )
    admin_change(
        staff,
        reverse("admin:indicators_indicator_change", args=[indicator_pk(world, "A.1.1")]),
        {"name_en": TYPED["indicator_en"], "name_ka": TYPED["indicator_ka"]},
    )
    for assessment in world.sighnaghi:
        bring_to(assessment, Status.PUBLISHED, by=world.people["project_staff"])

    # Telavi's staff fill in the self-assessment.
    admin_area = "admin:assessments_assessment_area"
    save_area(
        world,
        telavi,
        reverse(admin_area, args=[self_.pk, "A"]),
        {
            "A.1.1": {
                "value": "1",
                "evidence": TYPED["self_evidence"],
                "evidence_en": TYPED["self_evidence_en"],
                "links": LINK,
            },
            "A.1.2": {
                "is_na": "on",
                "na_reason": TYPED["self_na_reason"],
                "na_reason_en": TYPED["self_na_reason_en"],
            },
        },
        files=[("A.1.1", FILE_NAME)],
    )
    save_area(world, telavi, reverse(admin_area, args=[self_.pk, "B"]), {"B.1.1": {"value": "8"}})
    template = telavi.get(
        reverse("admin:assessments_assessment_responses_template", args=[self_.pk])
    )
    step(telavi, self_, "submit")
    step(staff, self_, "start_review")
    return_with_comment(world, staff, self_)
    pages = {
        "telavi self, returned": [
            telavi.get(reverse("admin:assessments_assessment_change", args=[self_.pk])),
            telavi.get(reverse(admin_area, args=[self_.pk, "A"])),
        ]
    }
    step(telavi, self_, "submit")
    step(staff, self_, "start_review")

    # The CSO monitor fills in the external assessment in the workspace.
    monitor_area = f"/monitor/assessments/{external.pk}/areas/"
    save_area(
        world,
        monitor,
        monitor_area + "A/",
        {
            "A.1.1": {
                "value": "1",
                "evidence": TYPED["external_evidence"],
                "evidence_en": TYPED["external_evidence_en"],
                "links": LINK,
            },
            "A.2.1": {
                "is_na": "on",
                "na_reason": TYPED["external_na_reason"],
                "na_reason_en": TYPED["external_na_reason_en"],
            },
        },
        files=[("A.1.1", FILE_NAME)],
    )
    save_area(world, monitor, monitor_area + "B/", {"B.1.1": {"value": "8"}})
    step(monitor, external, "submit", monitor=True)
    step(staff, external, "start_review")
    return_with_comment(world, staff, external)
    pages["cso external, returned"] = [
        monitor.get(f"/monitor/assessments/{external.pk}/"),
        monitor.get(monitor_area + "A/"),
        monitor.get("/monitor/"),
    ]
    step(monitor, external, "submit", monitor=True)
    step(staff, external, "open_reply", {"days": "7"})

    # Telavi's staff reply to the finding on A.1.1, then close the right of reply.
    reply = reverse("admin:assessments_assessment_reply", args=[external.pk])
    form = Form.main(telavi.get(reply))
    pk = Response.objects.get(assessment=external, indicator__code="A.1.1").pk
    form.fields.update({f"r{pk}-reply": TYPED["reply"], f"r{pk}-reply_en": TYPED["reply_en"]})
    assert telavi.post(reply, form.pairs(), token=False).status == 302
    pages["telavi reply"] = [telavi.get(reply)]
    step(telavi, external, "close_reply")

    # Project staff publish both, then correct the self-assessment with a public note.
    step(staff, self_, "publish")
    step(staff, external, "publish")
    step(staff, self_, "correct")
    return_with_comment(world, staff, self_)
    save_area(world, telavi, reverse(admin_area, args=[self_.pk, "B"]), {"B.1.1": {"value": "9"}})
    step(telavi, self_, "submit")
    step(staff, self_, "start_review")
    step(staff, self_, "publish", {"note_ka": TYPED["note_ka"], "note_en": TYPED["note_en"]})
    return {"pages": pages, "template": template}


# --- Reading what came back -------------------------------------------------------------


class _Markup(HTMLParser):
    """The elements and attributes a browser would run, as it parses the page: an inline
    script (the site has none: its policy allows scripts from its own files only), the
    attacks' image, an event handler, a javascript: address."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src"):
            self.found.append("an inline <script>")
        if tag == "img" and attributes.get("src") == "x":
            self.found.append("the attack's <img>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "formaction", "data") and (
                (value or "").strip().lower().startswith(("javascript:", "data:text/html"))
            ):
                self.found.append(f"<{tag} {name}={value}>")


def unsafe_markup(html: str) -> list[str]:
    """What of the attacks came back as markup."""
    reader = _Markup()
    reader.feed(html)
    return reader.found


def shown_escaped(html: str, *keys) -> list[str]:
    """The typed texts (by key) that a page does not show escaped."""
    return [key for key in keys if escape(TYPED[key]) not in html]


SELF_TEXTS = ("self_evidence", "self_na_reason")
SELF_TEXTS_EN = ("self_evidence_en", "self_na_reason_en")
EXTERNAL_TEXTS = ("external_evidence", "external_na_reason", "reply")
EXTERNAL_TEXTS_EN = ("external_evidence_en", "external_na_reason_en", "reply_en")
WORKSPACE_AND_ADMIN = (
    *SELF_TEXTS,
    *SELF_TEXTS_EN,
    *EXTERNAL_TEXTS,
    *EXTERNAL_TEXTS_EN,
    "comment",
    "return_note",
    "municipality_en",
    "official_name_en",
    "organization_en",
    "organization_ka",
    "area_en",
    "indicator_en",
)

# Public pages, and the typed texts each must show (escaped), by language.
PUBLIC_PAGES = {
    "/{lang}/": {"ka": ("municipality_ka",), "en": ("municipality_en",)},
    "/{lang}/municipalities/": {"ka": ("municipality_ka",), "en": ("municipality_en",)},
    "/{lang}/municipalities/telavi/": {"ka": ("municipality_ka",), "en": ("municipality_en",)},
    # The card and the badge that other websites show: the name as text there too.
    "/{lang}/embed/telavi/": {"ka": ("municipality_ka",), "en": ("municipality_en",)},
    "/{lang}/embed/telavi/badge.svg": {"ka": ("municipality_ka",), "en": ("municipality_en",)},
    "/{lang}/scorecards/2021/telavi/": {
        "ka": ("municipality_ka", "indicator_ka"),
        "en": ("municipality_en", "indicator_en", "area_en"),
    },
    "/{lang}/scorecards/2021/telavi/?area=A": {
        "ka": ("municipality_ka", "indicator_ka", *SELF_TEXTS, *EXTERNAL_TEXTS),
        "en": ("municipality_en", "indicator_en", "area_en", *SELF_TEXTS_EN, *EXTERNAL_TEXTS_EN),
    },
    "/{lang}/scorecards/2021/telavi/?show=all": {
        "ka": ("municipality_ka", "indicator_ka", *SELF_TEXTS, *EXTERNAL_TEXTS),
        "en": ("municipality_en", "indicator_en", "area_en", *SELF_TEXTS_EN, *EXTERNAL_TEXTS_EN),
    },
    "/{lang}/scorecards/2021/telavi/revisions/": {"ka": ("note_ka",), "en": ("note_en",)},
    "/{lang}/compare/?m=telavi&m=sighnaghi": {
        "ka": ("municipality_ka",),
        "en": ("municipality_en", "area_en"),
    },
    "/{lang}/areas/2021/A/": {"ka": ("municipality_ka",), "en": ("municipality_en", "area_en")},
    "/{lang}/methodology/": {"ka": ("indicator_ka",), "en": ("indicator_en", "area_en")},
    "/{lang}/about/": {"ka": ("organization_ka",), "en": ("organization_en",)},
    "/{lang}/data/": {"ka": (), "en": ()},
    # The search finds the names typed with markup, and lists them (and their passages) as text.
    "/{lang}/search/?q=script": {
        "ka": ("municipality_ka", "indicator_ka"),
        "en": ("municipality_en", "official_name_en", "indicator_en"),
    },
}


@pytest.mark.parametrize("lang", ["ka", "en"])
@pytest.mark.parametrize("page", list(PUBLIC_PAGES))
def test_the_public_pages_show_what_was_typed_as_text(world, typed, page, lang):
    citizen = world.of("citizen")
    citizen.language = lang
    answer = citizen.get(page.format(lang=lang))

    assert answer.status == 200, answer
    assert unsafe_markup(answer.text) == []
    assert shown_escaped(answer.text, *PUBLIC_PAGES[page][lang]) == []


def test_the_scorecard_shows_links_and_file_names_as_text(world, typed):
    page = world.of("citizen").get("/en/scorecards/2021/telavi/?show=all").text

    assert f'href="{escape(LINK)}"' in page
    assert escape(FILE_NAME) in page
    assert unsafe_markup(page) == []


def test_the_pages_of_the_workspace_and_the_admin_show_it_as_text(world, typed):
    pages = [answer for answers in typed["pages"].values() for answer in answers]
    staff = world.of("project_staff")
    external, self_ = world.external, world.self
    for path in (
        reverse("admin:assessments_assessment_change", args=[self_.pk]),
        reverse("admin:assessments_assessment_change", args=[external.pk]),
        reverse("admin:assessments_assessment_area", args=[self_.pk, "A"]),
        reverse("admin:assessments_assessment_area", args=[external.pk, "A"]),
        reverse("admin:assessments_assessment_reply", args=[external.pk]),
        reverse("admin:assessments_assessment_full_history", args=[self_.pk]),
        reverse("admin:assessments_assessment_history", args=[self_.pk]),
        reverse("admin:assessments_response_change", args=[_a_1_1(self_).pk]),
        reverse("admin:assessments_response_history", args=[_a_1_1(self_).pk]),
        "/admin/assessments/assessment/",
        "/admin/assessments/response/?q=HYPERLINK",
        "/admin/assessments/scoresnapshot/",
        "/admin/municipalities/municipality/",
        "/admin/municipalities/organization/",
        reverse("admin:municipalities_organization_change", args=[world.cso.pk]),
        "/admin/indicators/indicator/",
        "/admin/",
    ):
        pages.append(staff.get(path))
    for answer in pages:
        assert answer.status == 200, answer
        assert unsafe_markup(answer.text) == [], answer
    every_page = "".join(answer.text for answer in pages)
    assert shown_escaped(every_page, *WORKSPACE_AND_ADMIN) == []


# --- Files -------------------------------------------------------------------------------


def csv_cells(answer) -> list[str]:
    text = answer.body.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def formulas_inert_in_csv(cells) -> list[str]:
    """Cells a spreadsheet program would run: they start with = + - @ (or tab, return)."""
    return [
        cell
        for cell in cells
        if cell[:1] in ("=", "+", "-", "@", "\t", "\r")
        and not re.fullmatch(r"-?\d+([.,]\d+)?", cell)
    ]


def typed_in_csv(cells, *keys) -> list[str]:
    """Keys whose text is not in the file exactly as typed (behind its apostrophe)."""
    shown = {cell[1:] if cell.startswith("'") else cell for cell in cells}
    return [key for key in keys if TYPED[key] not in shown]


@pytest.mark.parametrize(
    ("path", "keys"),
    [
        (
            "/ka/scorecards/2021/telavi/data.csv",
            ("self_evidence", "external_evidence", "indicator_ka"),
        ),
        (
            "/en/scorecards/2021/telavi/data.csv",
            ("self_evidence_en", "external_evidence_en", "indicator_en"),
        ),
        (
            "/en/data/2021/responses.csv",
            (
                "self_evidence",
                "self_evidence_en",
                "self_na_reason",
                "self_na_reason_en",
                "external_evidence",
                "external_na_reason_en",
                "reply",
                "reply_en",
                "indicator_en",
                "indicator_ka",
            ),
        ),
        ("/en/data/2021/scores.csv", ("municipality_en", "municipality_ka")),
        ("/en/data/methodology/2020.csv", ("indicator_en", "indicator_ka", "area_en")),
    ],
)
def test_a_csv_file_keeps_every_formula_inert_and_the_text_as_typed(world, typed, path, keys):
    answer = world.of("citizen").get(path)
    cells = csv_cells(answer)

    assert answer.status == 200 and answer.content_type.startswith("text/csv"), answer
    assert formulas_inert_in_csv(cells) == []
    assert typed_in_csv(cells, *keys) == []


def workbook_cells(body: bytes) -> list:
    book = openpyxl.load_workbook(io.BytesIO(body))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def formulas_in_xlsx(cells) -> list:
    """Cells stored as formulas rather than as text."""
    return [cell.coordinate for cell in cells if cell.data_type == "f"]


def typed_in_xlsx(cells, *keys) -> list[str]:
    """Keys whose text is not in a string cell exactly as typed."""
    shown = {cell.value for cell in cells if cell.data_type == "s"}
    return [key for key in keys if TYPED[key] not in shown]


def test_the_open_data_workbook_keeps_every_formula_a_string(world, typed):
    answer = world.of("citizen").get("/en/data/2021/responses.xlsx")
    cells = workbook_cells(answer.body)

    assert answer.status == 200, answer
    assert formulas_in_xlsx(cells) == []
    assert typed_in_xlsx(cells, "self_evidence", "external_na_reason", "reply_en") == []


def test_the_staff_workbook_keeps_every_formula_a_string(world, typed):
    staff = world.of("project_staff")
    cycle = world.cycles[YEAR]
    staff.post(
        "/admin/assessments/cycle/", {"action": "export_results_en", "_selected_action": cycle.pk}
    )
    export = cycle.exports.get(language="en")
    answer = staff.get(reverse("admin:assessments_export_download", args=[export.pk]))
    cells = workbook_cells(answer.body)

    assert answer.status == 200, answer
    assert formulas_in_xlsx(cells) == []
    assert typed_in_xlsx(cells, "self_evidence_en", "external_evidence_en") == []


def test_the_import_templates_and_the_staff_lists_keep_every_formula_inert(world, typed):
    staff = world.of("project_staff")
    template = workbook_cells(typed["template"].body)  # the self-assessment, as a draft
    assert formulas_in_xlsx(template) == []
    assert typed_in_xlsx(template, "self_evidence", "self_na_reason_en") == []
    for path in (
        "/admin/municipalities/municipality/import/current.xlsx",
        f"/admin/indicators/methodologyversion/{world.methodology.pk}/matrix.xlsx",
    ):
        assert formulas_in_xlsx(workbook_cells(staff.get(path).body)) == [], path
    names = csv_cells(staff.get("/admin/municipalities/municipality/import/current.csv"))
    assert formulas_inert_in_csv(names) == []
    assert typed_in_csv(names, "municipality_en") == []


# --- The API ------------------------------------------------------------------------------


def strings_in(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings_in(item)]
    if isinstance(value, list):
        return [s for item in value for s in strings_in(item)]
    return []


@pytest.mark.parametrize(
    ("path", "keys"),
    [
        (
            "/api/v1/scorecards/2021/telavi/",
            (
                "self_evidence",
                "self_evidence_en",
                "self_na_reason",
                "external_evidence_en",
                "external_na_reason",
                "reply",
                "reply_en",
                "note_ka",
                "note_en",
                "municipality_ka",
                "municipality_en",
                "indicator_en",
                "area_en",
            ),
        ),
        ("/api/v1/cycles/2021/scores/", ("municipality_ka", "municipality_en", "area_en")),
        ("/api/v1/methodology/2020/", ("indicator_ka", "indicator_en", "area_en")),
    ],
)
def test_the_api_returns_the_text_as_typed_in_json_never_as_html(world, typed, path, keys):
    answer = world.of("citizen").get(path)
    strings = strings_in(answer.json())

    assert answer.status == 200
    assert answer.content_type.startswith("application/json")
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert [key for key in keys if TYPED[key] not in strings] == []
    assert not any("&lt;" in s or "&quot;" in s for s in strings)
    if "scorecards" in path:
        assert LINK in strings and FILE_NAME in strings


# --- Addresses that repeat what they were sent ----------------------------------------------


REFLECTED = [
    '/monitor/?q=<script>alert(1)</script>&status="><img src=x onerror=alert(1)>',
    '/en/compare/?m=<script>alert(1)</script>&m=telavi&kind="><img src=x onerror=alert(1)>',
    '/en/municipalities/?cycle=<script>alert(1)</script>&sort="><img src=x onerror=alert(1)>',
    '/en/search/?q=<script>alert(1)</script>&kind="><img src=x onerror=alert(1)>',
    '/en/search/?q="><img src=x onerror=alert(1)>&kind=indicators&page=<script>',
    "/en/<script>alert(1)</script>/",
    "/admin/assessments/assessment/?q=<script>alert(1)</script>",
    "/admin/assessments/assessment/?status__exact=<script>alert(1)</script>",
    "/monitor/login/?next=javascript:alert(1)",
    '/admin/login/?next="><script>alert(1)</script>',
    "/api/v1/scorecards/2021/<script>alert(1)</script>/",
]


@pytest.mark.parametrize("path", REFLECTED)
def test_an_address_that_carries_markup_gets_it_back_as_text(world, typed, path):
    role = "project_staff" if path.startswith("/admin/assessments") else "cso_monitor"
    browser = world.of("citizen") if "login" in path or path.startswith("/en/") else world.of(role)
    answer = browser.get(
        path.replace(" ", "%20").replace('"', "%22").replace("<", "%3C").replace(">", "%3E")
    )

    if path.startswith("/api/"):  # JSON, which no browser runs
        assert answer.content_type.startswith("application/json")
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
    else:
        assert unsafe_markup(answer.text) == [], answer


@pytest.mark.parametrize(
    "next_", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"]
)
def test_signing_in_or_switching_language_never_sends_anyone_to_another_site(world, next_):
    browser = world.browser("citizen")
    path = f"/monitor/login/?next={urllib.parse.quote(next_, safe='')}"
    form = Form.of(browser.get(path), having="username")
    form.fields.update(username="cso-monitor", password="pw")

    signed_in = browser.post(path, form.pairs(), token=False)
    switched = browser.post("/i18n/setlang/", {"language": "ka", "next": next_})

    assert signed_in.status == switched.status == 302
    for answer in (signed_in, switched):
        assert answer.location.startswith("/") and not answer.location.startswith("//"), answer


@pytest.fixture(scope="module")
def another_draft(world):
    return assessment_of(world, world.places["telavi"], 2030, "external")


@pytest.mark.parametrize("link", REFUSED_LINKS)
def test_a_link_that_is_not_a_web_address_is_refused_and_nothing_is_stored(
    world, another_draft, link
):
    monitor, draft = world.of("cso_monitor"), another_draft
    path = f"/monitor/assessments/{draft.pk}/areas/A/"
    form = Form.main(monitor.get(path))
    form.fields[f"i{indicator_pk(world, 'A.1.1')}-links"] = link
    form.fields["save"] = "1"

    refused = monitor.post(path, form.pairs(), token=False)

    assert refused.status == 400
    assert "is not a web address" in refused.text
    assert unsafe_markup(refused.text) == []
    assert not draft.responses.exists()


# --- The PDF --------------------------------------------------------------------------------


def pdf_text(content: bytes) -> str:
    """The text in the order the document draws it (each box's text together)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(content)
        file.flush()
        done = subprocess.run(
            ["pdftotext", "-raw", file.name, "-"], capture_output=True, check=True, timeout=120
        )
    return done.stdout.decode()


def squeezed(text: str) -> str:
    """Without white space: pdftotext breaks long lines where the layout wrapped them."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def scorecard_pdf(world, typed):
    """Telavi's scorecard laid out for real, once in each language (by the render task's
    function; no PDF is made in a request)."""
    cycle, telavi = world.cycles[YEAR], world.places["telavi"]
    documents.renderings_for([(Document.SCORECARD, cycle.pk, telavi.pk, None)])
    texts = {}
    for language in ("ka", "en"):
        rendering = documents.find(
            Document.SCORECARD, language=language, cycle=cycle, municipality=telavi
        )
        with translation.override(language):
            content, _pages = jobs.render(rendering)
        texts[language] = pdf_text(content)
    return texts


@pytest.mark.parametrize(
    ("language", "keys", "evidence"),
    [
        ("ka", ("note_ka", "reply", "indicator_ka"), "self_evidence"),
        ("en", ("note_en", "reply_en", "indicator_en", "area_en"), "self_evidence_en"),
    ],
)
def test_the_pdf_prints_what_was_typed_as_text(scorecard_pdf, language, keys, evidence):
    """Markup that reached WeasyPrint as markup would not be printed (and its <img> would
    be fetched): printed, it was escaped."""
    text = squeezed(scorecard_pdf[language])
    assert [key for key in keys if squeezed(TYPED[key]) not in text] == []
    # Evidence is printed cut to 100 characters; the attack's markup comes before the cut.
    assert squeezed(f'<script>alert("{evidence}")</script>') in text


def test_the_pdf_s_running_header_prints_the_municipality_s_name_as_written(scorecard_pdf):
    header = f"{TYPED['municipality_en']}: scorecard {YEAR}"
    assert escape(TYPED["municipality_en"]) not in scorecard_pdf["en"]
    assert header in scorecard_pdf["en"]


def _a_1_1(assessment):
    return Response.objects.get(assessment=assessment, indicator__code="A.1.1")


# --- The grant competition ----------------------------------------------------------------

# What the applicant, the reviewer and project staff type into the grant competition.
GRANT_TYPED = {
    "call_title_en": short_attack("call_title_en"),
    "call_title_ka": short_attack("call_title_ka"),
    "grant_contact": short_attack("grant_contact"),
    "grant_title": attack("grant_title"),
    "grant_summary": attack("grant_summary", "+"),
    "grant_objectives": attack("grant_objectives", "-"),
    "grant_activities": attack("grant_activities", "@"),
    "budget_line": attack("budget_line"),
    "review_comment": attack("review_comment"),
    "decision_reason": attack("decision_reason"),
    "public_summary_ka": attack("public_summary_ka"),
    "public_summary_en": attack("public_summary_en", "+"),
}
GRANT_FILE_NAME = "<img src=x onerror=alert('grant')>.pdf"


def shown_grant_texts_escaped(html: str, *keys) -> list[str]:
    return [key for key in keys if escape(GRANT_TYPED[key]) not in html]


@pytest.fixture(scope="module")
def grant_typed(world, typed):
    """A call of the 2021 findings, named by project staff in the admin; Civic Monitor's
    application typed in the workspace and submitted with a document; reviewed, decided
    and summarised for the register, each through its page. Returns the application."""
    staff, monitor = world.of("project_staff"), world.of("cso_monitor")
    reviewer = world.of("grant_reviewer")
    now = timezone.now().replace(microsecond=0)
    call = grant_call(world, "open", CallStage.ANNOUNCED, now - datetime.timedelta(days=1),
                      now + datetime.timedelta(days=10))  # fmt: skip
    admin_change(
        staff,
        reverse("admin:grants_call_change", args=[call.pk]),
        {"title_en": GRANT_TYPED["call_title_en"], "title_ka": GRANT_TYPED["call_title_ka"]},
    )

    started = monitor.post(reverse("apply:start", args=[call.slug]), {"organization": world.cso.pk})
    assert started.status == 302, started
    path = started.location
    requirement = call.required_attachments.get()
    attached = monitor.post(
        reverse("apply:attachments", args=[path.rstrip("/").rsplit("/", 1)[-1]]),
        {"requirement": requirement.pk},
        files=[("file", GRANT_FILE_NAME, PDF)],
    )
    assert attached.status == 302, (attached, re.findall(r"invalid-feedback.*?</", attached.text))
    form = Form.of(monitor.get(path), having="objectives")
    form.fields.update(
        contact_name=GRANT_TYPED["grant_contact"],
        contact_email="nino@example.org",
        title=GRANT_TYPED["grant_title"],
        summary=GRANT_TYPED["grant_summary"],
        objectives=GRANT_TYPED["grant_objectives"],
        activities=GRANT_TYPED["grant_activities"],
        municipality=str(world.places["telavi"].pk),
        indicators=str(indicator_pk(world, "A.2.1")),
        submit="1",
    )
    form.fields["lines-0-description"] = GRANT_TYPED["budget_line"]
    form.fields["lines-0-amount"] = "12000"
    submitted = monitor.post(path, form.pairs(), token=False)
    assert submitted.status == 302, (
        submitted,
        re.findall(r"alert-danger.*?</div>", submitted.text, re.S),
    )
    if "confirm" in submitted.location:
        # The page asks to confirm what is about to be submitted, showing it.
        confirm = monitor.get(submitted.location)
        assert confirm.status == 200 and unsafe_markup(confirm.text) == [], confirm
        assert escape(GRANT_TYPED["grant_title"]) in confirm.text
        submitted = monitor.post(path, {"confirm": ""})
        assert submitted.status == 302, submitted
    application = Application.objects.get(call=call)
    assert application.status == "submitted"

    people = world.people
    services.start_review(call=call, by=people["project_staff"], now=call.closes_at)
    application = services.check_eligibility(
        application=application, eligible=True, by=people["project_staff"]
    )
    review = services.assign_reviewer(
        application=application, reviewer=people["grant_reviewer"], by=people["project_staff"]
    )
    services.declare_conflict(review=review, has_conflict=False, by=people["grant_reviewer"])
    scored = reviewer.post(
        reverse("review:review", args=[review.pk]),
        {
            **{f"points_{c.pk}": "4" for c in call.rubric.all()},
            **{f"comment_{c.pk}": GRANT_TYPED["review_comment"] for c in call.rubric.all()},
            "submit": "1",
        },
    )
    assert scored.status == 302, scored
    decided = staff.post(
        reverse("admin:grants_application_decide", args=[application.pk]),
        {
            "decision": "award",
            "amount": "10000",
            "start": timezone.localdate().isoformat(),
            "end": (timezone.localdate() + datetime.timedelta(days=180)).isoformat(),
            "reason": GRANT_TYPED["decision_reason"],
            # The public register's summary, given with the award.
            "summary_ka": GRANT_TYPED["public_summary_ka"],
            "summary_en": GRANT_TYPED["public_summary_en"],
        },
    )
    assert decided.status == 302, (
        decided,
        re.findall(r"(?:errorlist|messagelist).*?</ul>", decided.text, re.S),
    )
    admin_change(
        staff,
        reverse("admin:grants_application_change", args=[application.pk]),
        {
            "public_summary_ka": GRANT_TYPED["public_summary_ka"],
            "public_summary_en": GRANT_TYPED["public_summary_en"],
        },
    )
    closed = staff.post(reverse("admin:grants_call_step", args=[call.pk, "close_decisions"]))
    assert closed.status == 302, closed
    application.refresh_from_db()
    return application


def test_the_grant_competition_s_pages_show_what_was_typed_as_text(world, grant_typed):
    application = grant_typed
    call, reference = application.call, application.reference
    review = application.reviews.get()
    public = {
        "/en/grants/": ("call_title_en",),
        "/ka/grants/": ("call_title_ka",),
        f"/en/grants/{call.slug}/": ("call_title_en", "public_summary_en"),
        f"/ka/grants/{call.slug}/": ("call_title_ka", "public_summary_ka"),
        f"/en/grants/{call.slug}/awards/{reference}/": ("grant_title", "public_summary_en"),
        f"/ka/grants/{call.slug}/awards/{reference}/": ("grant_title", "public_summary_ka"),
        "/en/municipalities/telavi/": (),
    }
    workspaces = {
        ("cso_monitor", reverse("apply:application", args=[application.pk])): (
            "grant_title", "grant_objectives", "grant_activities", "budget_line",
            "decision_reason",
        ),
        ("cso_monitor", reverse("apply:dashboard")): ("grant_title",),
        ("grant_reviewer", reverse("review:review", args=[review.pk])): (
            "grant_title", "grant_objectives", "grant_activities", "budget_line",
            "review_comment",
        ),
        ("grant_reviewer", reverse("review:dashboard")): ("grant_title",),
        ("project_staff", reverse("admin:grants_application_change", args=[application.pk])): (
            "grant_contact", "grant_title", "grant_summary", "grant_objectives",
            "grant_activities", "budget_line", "review_comment", "decision_reason",
            "public_summary_en",
        ),
        ("project_staff", reverse("admin:grants_application_changelist")): (),
        ("project_staff", reverse("admin:grants_call_ranking", args=[call.pk])): (),
        ("project_staff", reverse("admin:grants_report_changelist")): (),
    }  # fmt: skip
    pages = [(path, world.of("citizen").get(path), keys) for path, keys in public.items()]
    pages += [(path, world.of(role).get(path), keys) for (role, path), keys in workspaces.items()]
    for path, answer, keys in pages:
        assert answer.status == 200, answer
        assert unsafe_markup(answer.text) == [], path
        assert shown_grant_texts_escaped(answer.text, *keys) == [], path
    document_links = (
        world.of("cso_monitor").get(reverse("apply:application", args=[application.pk])).text
    )
    assert escape(GRANT_FILE_NAME) in document_links


def test_the_awards_as_open_data_keep_every_formula_inert(world, grant_typed):
    citizen = world.of("citizen")
    cells = csv_cells(citizen.get("/en/grants/awards.csv"))
    assert formulas_inert_in_csv(cells) == []
    shown = {cell[1:] if cell.startswith("'") else cell for cell in cells}
    for key in ("public_summary_ka", "public_summary_en", "call_title_en"):
        assert GRANT_TYPED[key] in shown, key

    workbook = workbook_cells(citizen.get("/en/grants/awards.xlsx").body)
    assert formulas_in_xlsx(workbook) == []
    strings = {cell.value for cell in workbook if cell.data_type == "s"}
    assert GRANT_TYPED["public_summary_en"] in strings


def test_the_grants_api_returns_the_text_as_typed(world, grant_typed):
    answer = world.of("citizen").get("/api/v1/grants/calls/")
    strings = strings_in(answer.json())

    assert answer.content_type.startswith("application/json")
    for key in ("call_title_en", "call_title_ka", "public_summary_ka", "public_summary_en"):
        assert GRANT_TYPED[key] in strings, key
    assert not any("&lt;" in s or "&quot;" in s for s in strings)


def test_the_world_really_holds_the_attacks(world, typed):
    """Without this, a field that was never saved would pass every test above."""
    self_ = _a_1_1(world.self)
    assert self_.evidence == TYPED["self_evidence"] and self_.links == LINK
    assert self_.files.get().title == FILE_NAME
    assert world.self.snapshots.get(is_current=True).note_en == TYPED["note_en"]
    assert json.dumps(TYPED)  # every attack is plain text
