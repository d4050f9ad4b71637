"""Hostile input over HTTP: every address parameter that names something, and the forms.

Path traversal (`..%2F` and raw `../`), over-long names (5,000 characters, ids of 5,000
digits), NUL characters, digits that are not ASCII, in every parameter of the URL table
that names a thing (a year, a slug, a code, a dataset and its extension, an id, an area,
an action) and in the search's query; then, in the forms: an oversized body, too many
files or fields, an over-long file name, NUL characters, non-ASCII digits, and spreadsheet
bombs on each import page.

Each is answered with a 4xx and the site's own page (the API: its JSON), never a 500 (the
live server logs none: tests/attack/conftest.py), shows no file or secret it should not,
and changes nothing in the database or the private folder. Two kinds of answer are not a
4xx, and the tables say so: Django's stock admin sends a record it cannot find to its
index, with a message; a page that reads a query value it cannot use (a page number, a
cycle in other digits, a search's kind) ignores it and shows the page, and the search cuts
an over-long query.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from assessments.models import EvidenceFile, Response
from bench.import_bombs import shared_string_bomb, wide_sheet_bomb
from indicators.models import Indicator
from tests.assessments.conftest import PDF

from .client import Browser, Form
from .conftest import SECRET, changed_tables, database_state

LONG = 5000
# What the server's own files (settings, passwords, the database) or the staff export
# would show if an address reached them.
NEVER_SHOWN = [b"SECRET_KEY", b"root:x:0:0", b"[extensions]", b"SQLite format", b"EXPORT-SECRET"]


def draft(world, kind="external"):
    return world.assessment(kind, "draft")


def site_s_page(answer) -> bool:
    """The site's own page (its 400 and 404 pages, its admin's and its workspace's), or the
    API's JSON (a request refused before any view reads it gets the site's 400 page)."""
    if answer.path.startswith("/api/") and answer.content_type.startswith("application/json"):
        return True
    return "MUSQAT" in answer.text.split("</title>", 1)[0]


def settled(browser, answer):
    """Where the admin's redirects lead: Django's admin sends an address it cannot read as a
    record's to that record's change page, and a record it cannot find to its index."""
    for _hop in range(3):
        if answer.status != 302 or not answer.location.startswith("/admin/"):
            break
        answer = browser.raw("GET", answer.location)
    return answer


# Django's stock admin pages send a record they cannot find to the admin's index, which
# says so ("… doesn’t exist. Perhaps it was deleted?").
INDEX = "the admin's index, saying the record does not exist"
HUGE_ID = "9" * LONG  # more digits than Python turns into an int (4,300)
OVERFLOW = "9" * 30  # more than a 64-bit id
ARABIC_2021 = "%D9%A2%D9%A0%D9%A2%D9%A1"  # ٢٠٢١
ARABIC_1 = "%D9%A1"  # ١

PUBLIC = [
    # Path traversal in each parameter that names something.
    ("/en/scorecards/2021/..%2F..%2Fetc/", 404),
    ("/en/scorecards/2021/..%2F..%2Fetc%2Fpasswd/data.csv", 404),
    ("/en/scorecards/2021/telavi%2F..%2F..%2Fsighnaghi/", 404),
    ("/en/scorecards/2021/../../../etc/passwd/", 404),
    ("/en/municipalities/..%2F..%2Fetc%2Fpasswd/", 404),
    ("/en/evidence/..%2F1/", 404),
    ("/en/evidence/1%2F..%2F..%2Fetc%2Fpasswd/", 404),
    ("/en/data/2021/..%2F..%2Fmusqat%2Fsettings.csv", 404),
    ("/en/data/2021/..%2Fresponses.csv", 404),
    ("/en/data/2021/responses.py", 404),
    ("/en/data/2021/responses.csv%2F..%2F..%2Fdb.sqlite3", 404),
    ("/en/data/2021/responses.%2E%2E%2Fdb.sqlite3", 404),
    ("/en/data/methodology/..%2F..%2Fmusqat%2Fsettings.csv", 404),
    ("/en/methodology/..%2F..%2F/", 404),
    ("/en/methodology/2020%2F..%2F..%2F/handbook.pdf", 404),
    ("/en/areas/2021/..%2F..%2Fetc%2Fpasswd/", 404),
    ("/en/areas/2021/..%5C..%5Cwindows%5Cwin.ini/", 404),
    ("/en/reports/2021%2F..%2F2020/report.pdf", 404),
    ("/api/v1/scorecards/2021/..%2F..%2Fetc%2Fpasswd/", 404),
    ("/api/v1/methodology/..%2F..%2F/", 404),
    # Over-long names and numbers.
    (f"/en/scorecards/2021/{'a' * LONG}/", 404),
    (f"/en/scorecards/2021/{'a' * LONG}/data.csv", 404),
    (f"/en/municipalities/{'a' * LONG}/", 404),
    (f"/en/methodology/{'a' * LONG}/", 404),
    (f"/en/methodology/{'a' * LONG}/handbook.pdf", 404),
    (f"/en/areas/2021/{'A' * LONG}/", 404),
    (f"/en/data/2021/{'a' * LONG}.csv", 404),
    (f"/en/data/2021/responses.{'x' * LONG}", 404),
    (f"/en/data/methodology/{'a' * LONG}.csv", 404),
    (f"/en/scorecards/{HUGE_ID}/telavi/", 404),
    (f"/en/evidence/{HUGE_ID}/", 404),
    (f"/en/evidence/{OVERFLOW}/", 404),
    (f"/en/reports/{OVERFLOW}/report.pdf", 404),
    (f"/api/v1/scorecards/2021/{'a' * LONG}/", 404),
    (f"/api/v1/cycles/{HUGE_ID}/scores/", 404),
    (f"/api/v1/methodology/{'a' * LONG}/", 404),
    # NUL characters, in the path and in the query.
    ("/en/municipalities/tela%00vi/", 400),
    ("/en/data/2021/responses.csv%00.py", 400),
    ("/en/?q=%00", 400),
    ("/en/compare/?m=telavi&m=%00", 400),
    ("/api/v1/scorecards/2021/tela%00vi/", 400),
    # Digits that are not ASCII (Arabic-Indic ٢٠٢١, superscript ²).
    (f"/en/scorecards/{ARABIC_2021}/telavi/", 404),
    (f"/en/evidence/{ARABIC_1}/", 404),
    ("/en/areas/%C2%B2/A/", 404),
    # Too many parameters for the parser.
    ("/en/compare/?" + "m=telavi&" * 6000, 400),
    # The search: a NUL is refused before it; what it cannot use it cuts or ignores.
    ("/en/search/?q=tel%00avi", 400),
    ("/ka/search/?q=" + "%E1%83%97" * LONG, 200),
    ("/en/search/?q=" + "a" * LONG + "&kind=indicators", 200),
    ("/en/search/?q=..%2F..%2Fetc%2Fpasswd&kind=..%2F..%2F", 200),
    ("/en/search/?q=%25%25%5F&kind=" + "a" * LONG, 200),
    (f"/en/search/?q=telavi&kind=municipalities&page={HUGE_ID}", 200),
    (f"/en/search/?q=telavi&kind=municipalities&page={ARABIC_1}", 200),
    ("/en/search/?q=%27%20OR%201%3D1%20--", 200),
]

MONITOR = [
    ("/monitor/assessments/..%2F{pk}/", 404),
    ("/monitor/assessments/{pk}/areas/..%2F..%2F/", 404),
    ("/monitor/assessments/{pk}/areas/" + "A" * LONG + "/", 404),
    ("/monitor/assessments/{pk}/transition/?action=" + "a" * LONG, 403),
    ("/monitor/assessments/{pk}/transition/?action=..%2Fpublish", 403),
    (f"/monitor/assessments/{HUGE_ID}/", 404),
    (f"/monitor/assessments/{OVERFLOW}/", 404),
    (f"/monitor/assessments/{ARABIC_1}/", 404),
    ("/monitor/?q=Tel%00avi", 400),
    # Query values the dashboard does not understand are ignored, not refused.
    ("/monitor/?cycle=%C2%B2", 200),
    (f"/monitor/?cycle={ARABIC_2021}", 200),
    (f"/monitor/?page={ARABIC_1}", 200),
    (f"/monitor/?page={HUGE_ID}", 200),
    ("/monitor/?q=" + "a" * LONG, 200),
]

ADMIN = [
    ("/admin/assessments/assessment/..%2F..%2Fetc%2Fpasswd/areas/A/", 404),
    ("/admin/assessments/assessment/{pk}/areas/..%2F..%2F/", 404),
    ("/admin/assessments/assessment/{pk}/areas/" + "A" * LONG + "/", 404),
    ("/admin/assessments/assessment/{pk}/transition/..%2F..%2Fpublish/", 404),
    ("/admin/assessments/assessment/{pk}/transition/" + "a" * LONG + "/", 403),
    ("/admin/assessments/assessment/abc/areas/A/", 404),
    ("/admin/assessments/assessment/abc/full-history/", 404),
    (f"/admin/assessments/assessment/{OVERFLOW}/areas/A/", 404),
    (f"/admin/assessments/assessment/{OVERFLOW}/change/", 404),
    ("/admin/assessments/assessment/{pk}/full-history/?page=" + HUGE_ID, 200),
    (f"/admin/assessments/assessment/{HUGE_ID}/areas/A/", 404),
    (f"/admin/assessments/assessment/{HUGE_ID}/change/", 404),
    (f"/admin/assessments/assessment/{ARABIC_1}/areas/A/", 404),
    ("/admin/assessments/assessment/abc/history/", 404),
    (f"/admin/assessments/assessment/{HUGE_ID}/history/", 404),
    ("/admin/assessments/assessment/{pk}/history/abc/", 404),
    ("/admin/assessments/response/abc/history/", 404),
    ("/admin/assessments/export/..%2F1/download/", INDEX),
    (f"/admin/assessments/export/{OVERFLOW}/download/", 404),
    ("/admin/indicators/methodologyversion/..%2F1/import/", INDEX),
    (f"/admin/indicators/methodologyversion/{OVERFLOW}/matrix.xlsx", 404),
    ("/admin/municipalities/municipality/..%2F..%2Fetc%2Fpasswd/change/", INDEX),
    (f"/admin/auth/user/{HUGE_ID}/change/", INDEX),
    (f"/admin/auth/user/{HUGE_ID}/password/", 404),
    ("/admin/r/..%2F..%2F/1/", 404),
    (f"/admin/r/1/{HUGE_ID}/", 404),
    ("/admin/assessments/assessment/?q=%00", 400),
]


def probes(table, role):
    for case in table:
        if not hasattr(case, "marks"):  # a plain (path, status)
            case = pytest.param(*case)
        path, status = case.values
        yield pytest.param(role, path, status, marks=case.marks, id=f"{role}-{path[:70]}")


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        *probes(PUBLIC, "citizen"),
        *probes(MONITOR, "cso_monitor"),
        *probes(ADMIN, "project_staff"),
    ],
)
def test_a_hostile_address_gets_a_4xx_with_the_site_s_page_and_changes_nothing(
    world, browsers, role, path, status
):
    path = path.replace("{pk}", str(draft(world).pk))
    before = database_state()

    answer = settled(browsers[role], browsers[role].raw("GET", path))

    if status == INDEX:
        assert (answer.path, answer.status) == ("/admin/", 200), answer
        assert "doesn’t exist. Perhaps it was deleted?" in answer.text
    else:
        assert answer.status == status, answer
    assert site_s_page(answer), answer
    assert not [text for text in NEVER_SHOWN if text in answer.body]
    if role == "citizen":
        assert SECRET.encode() not in answer.body
    assert changed_tables(before, database_state()) == []


# --- Forms ---------------------------------------------------------------------------------


def indicator_pk(world, code):
    return Indicator.objects.get(code=code, criterion__area__version=world.methodology).pk


def private_files():
    return sorted(p for p in settings.PRIVATE_ROOT.rglob("*") if p.is_file())


@pytest.fixture
def area_form(world, browsers):
    """The monitor's area page of Telavi's external draft, as the CSO monitor opened it, and
    a check that a refused save left the database and the private folder as they were."""

    class AreaForm:
        browser = browsers["cso_monitor"]
        path = f"/monitor/assessments/{draft(world).pk}/areas/A/"
        pk = indicator_pk(world, "A.2.1")

        def __init__(self):
            self.form = Form.main(self.browser.get(self.path))
            self.form.fields["save"] = "1"
            self.before = (database_state(), private_files())

        def fill(self, **fields):
            self.form.fields.update({f"i{self.pk}-{name}": value for name, value in fields.items()})
            return self

        def post(self, files=(), extra=()):
            files = [(f"i{self.pk}-new_files", name, content) for name, content in files]
            return self.browser.post(
                self.path, self.form.pairs() + list(extra), files=files, token=False
            )

        def nothing_changed(self):
            state, files = self.before
            return changed_tables(state, database_state()) == [] and private_files() == files

    return AreaForm()


def test_a_body_over_the_limit_is_refused_before_it_is_read_and_nothing_is_stored(area_form):
    oversized = PDF + b"x" * settings.REQUEST_MAX_BYTES

    refused = area_form.fill(value="60", evidence="Council minutes").post([("big.pdf", oversized)])

    assert refused.status == 400
    assert "can be sent in one save" in refused.text
    assert site_s_page(refused)
    assert area_form.nothing_changed()


def test_a_body_that_only_claims_to_be_over_the_limit_is_refused_unread(area_form):
    declared = settings.REQUEST_MAX_BYTES + 1
    refused = area_form.browser.raw(
        "POST",
        area_form.path,
        b"",
        {"Content-Type": "application/x-www-form-urlencoded", "Content-Length": str(declared)},
    )

    assert refused.status == 400 and site_s_page(refused)
    assert area_form.nothing_changed()


def test_more_files_than_the_parser_takes_are_refused(area_form):
    count = settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1

    refused = area_form.fill(value="60").post([(f"{n}.pdf", PDF) for n in range(count)])

    assert refused.status == 400 and site_s_page(refused)
    assert f"more files at once than allowed ({count - 1})" in refused.text
    assert area_form.nothing_changed()


def test_more_evidence_files_than_one_save_may_bring_are_refused_and_the_text_is_kept(
    area_form,
):
    count = settings.EVIDENCE_MAX_FILES + 1

    refused = area_form.fill(value="60", evidence="Council minutes").post(
        [(f"{n}.pdf", PDF) for n in range(count)]
    )

    assert refused.status == 400
    assert f"{count} files were chosen in this save" in refused.text
    assert "Council minutes" in refused.text
    assert area_form.nothing_changed()


def test_more_fields_than_the_parser_takes_are_refused(area_form):
    extra = [(f"x{n}", "1") for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)]

    refused = area_form.fill(value="60").post(extra=extra)

    assert refused.status == 400 and site_s_page(refused)
    assert "more fields at once than allowed" in refused.text
    assert area_form.nothing_changed()


def test_an_evidence_file_name_of_300_characters_is_refused_and_the_text_is_kept(area_form):
    name = "minutes-" + "x" * 288 + ".pdf"  # 300 characters

    refused = area_form.fill(value="60", evidence="Council minutes").post([(name, PDF)])

    assert refused.status == 400
    # Django's parser cuts a name to 255 characters before the form reads it.
    assert "characters long; a file name may be 200 characters at most" in refused.text
    assert "Council minutes" in refused.text
    assert area_form.nothing_changed()


@pytest.mark.parametrize(
    "fields", [{"evidence": "Minutes\x00"}, {"na_reason_en": "\x00"}, {"value\x00": "60"}]
)
def test_a_nul_in_a_form_is_refused_and_nothing_is_stored(area_form, fields):
    refused = area_form.fill(**fields).post([("minutes.pdf", PDF)])

    assert refused.status == 400 and site_s_page(refused)
    assert "null character (NUL)" in refused.text
    assert area_form.nothing_changed()


def test_a_nul_in_the_login_form_is_refused_and_signs_no_one_in(world):
    browser = world.browser("citizen")
    form = Form.of(browser.get("/monitor/login/"), having="username")
    form.fields.update(username="cso-monitor\x00", password="pw")
    before = database_state()

    refused = browser.post("/monitor/login/", form.pairs(), token=False)

    assert refused.status == 400 and site_s_page(refused)
    assert not browser.is_signed_in
    assert changed_tables(before, database_state()) == []


def test_a_nul_in_an_uploaded_file_s_name_is_dropped_from_the_name(world, area_form):
    saved = area_form.fill(value="60").post([("min\x00utes.pdf", PDF)])

    assert saved.status == 302, saved
    document = EvidenceFile.objects.get(response__assessment=draft(world), title__contains="utes")
    assert document.title == "minutes.pdf"
    document.delete()
    Response.objects.filter(assessment=draft(world), indicator_id=area_form.pk).delete()


def test_a_number_in_superscript_digits_is_refused_and_the_text_is_kept(area_form):
    refused = area_form.fill(value="²", evidence="Council minutes").post()

    assert refused.status == 400
    assert "Council minutes" in refused.text
    assert area_form.nothing_changed()


def test_a_number_in_non_ascii_digits_is_refused_as_the_import_refuses_it(world, area_form):
    """The form reads numbers with the import's parser (parse_decimal: ASCII digits only),
    not with Django's DecimalField, which reads any Unicode digit."""
    try:
        refused = area_form.fill(value="٦٠").post()
        assert refused.status == 400
        assert area_form.nothing_changed()
    finally:
        Response.objects.filter(assessment=draft(world), indicator_id=area_form.pk).delete()


# --- Spreadsheet bombs on each import page ------------------------------------------------


def import_pages(world):
    return {
        "responses": (
            "telavi_staff",
            reverse("admin:assessments_assessment_import", args=[draft(world, "self").pk]),
        ),
        "municipalities": ("project_staff", reverse("admin:municipalities_municipality_import")),
        "organisations": ("project_staff", reverse("admin:municipalities_organization_import")),
        "methodology": (
            "project_staff",
            reverse("admin:indicators_methodologyversion_import", args=[world.methodology.pk]),
        ),
    }


BOMBS = {
    "a 1 GB shared string in 1 MB": (shared_string_bomb, "unpacks to more than 20.0"),
    "100,001 rows of 200 columns in 700 KB": (wide_sheet_bomb, "unpacks to more than 20.0"),
}


@pytest.fixture(scope="module")
def bombs():
    return {name: (build(), said) for name, (build, said) in BOMBS.items()}


@pytest.mark.parametrize("bomb", list(BOMBS))
@pytest.mark.parametrize("page", ["responses", "municipalities", "organisations", "methodology"])
def test_a_spreadsheet_bomb_is_refused_saying_why_and_nothing_is_stored(
    world, browsers, bombs, page, bomb
):
    role, path = import_pages(world)[page]
    data, said = bombs[bomb]
    before = database_state()

    refused = browsers[role].post(path, files=[("file", "bomb.xlsx", data)])

    assert refused.status < 500
    assert said in refused.text
    assert 'name="token"' not in refused.text  # no preview to confirm
    assert changed_tables(before, database_state()) == []


def test_a_spreadsheet_bomb_is_answered_with_a_4xx(world, browsers, bombs):
    role, path = import_pages(world)["methodology"]
    data, _said = bombs["a 1 GB shared string in 1 MB"]
    assert 400 <= browsers[role].post(path, files=[("file", "bomb.xlsx", data)]).status < 500


# --- Static and media addresses, on the site as it is deployed -----------------------------


@pytest.fixture(scope="module")
def deployed(site):
    """The site as gunicorn serves it: the WSGI application alone, static files from
    WhiteNoise's middleware, no /media/ address at all. pytest-django's live server wraps
    the application in Django's development handlers for /static/ and /media/, which
    neither production nor `make run` (whitenoise.runserver_nostatic) runs; there,
    /static/%2e%2e/… is a 500 (Django's finder raises SuspiciousFileOperation)."""
    from django.db import connections
    from django.test.testcases import LiveServerThread

    shared = {c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()}
    thread = LiveServerThread(
        "localhost",
        static_handler=lambda wrapped: wrapped.application,
        connections_override=shared,
    )
    thread.daemon = True
    for connection in shared.values():
        connection.inc_thread_sharing()
    thread.start()
    thread.is_ready.wait()
    yield f"http://localhost:{thread.port}"
    thread.terminate()
    for connection in shared.values():
        connection.dec_thread_sharing()


@pytest.mark.parametrize(
    "path",
    [
        "/static/../musqat/settings.py",
        "/static/%2e%2e/musqat/settings.py",
        "/static/..%2fmusqat%2fsettings.py",
        "/static/css/../../musqat/settings.py",
        "/static/..%5c..%5cmusqat%5csettings.py",
        "/media/../db.sqlite3",
        "/media/%2e%2e/musqat/settings.py",
        "/media/pdf/",
    ],
)
def test_static_and_media_addresses_serve_no_file_of_the_site(deployed, path):
    answer = Browser(deployed).raw("GET", path)

    assert answer.status == 404, answer
    assert site_s_page(answer)
    assert not [text for text in NEVER_SHOWN if text in answer.body]
