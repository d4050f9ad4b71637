"""The people and places the tests talk about."""

import datetime
import re
from decimal import Decimal
from html import unescape

import pytest

from assessments.permissions import PROJECT_STAFF_GROUP
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


# --- The public portal ----------------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def no_pdfs_unless_asked():
    """Publishing queues PDFs; only the tests about PDFs want them made
    (they set settings.RENDER_PDFS = True)."""
    from django.conf import settings

    settings.RENDER_PDFS = False


@pytest.fixture(scope="session", autouse=True)
def no_private_files_in_the_project(tmp_path_factory):
    """Module-scoped fixtures (a seeded demo) run before the per-test folder below: they
    write private files to a folder of the session's own, never into the project."""
    from django.conf import settings

    settings.PRIVATE_ROOT = tmp_path_factory.mktemp("session-private")


@pytest.fixture(autouse=True)
def private_files_in_a_temporary_folder(settings, tmp_path_factory):
    """No test writes evidence or exports into the project's own private folder."""
    settings.PRIVATE_ROOT = tmp_path_factory.mktemp("private")


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Every test starts with an empty page cache.

    The cache outlives a test, and a test's transaction never commits, so nothing
    would clear a page that an earlier test cached.
    """
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def citizen(client):
    """Someone reading the public site, not logged in."""
    return client


@pytest.fixture
def publish(project_staff):
    """Publish an assessment with the given answers, as the project staff would.

    Answers are keyed by indicator code; a value of NA(reason) marks it not
    applicable. Extra fields for a response (evidence, reply, …) go in `texts`.
    """
    from assessments import services
    from assessments.workflow import Status

    def publish(assessment, answers, texts=None):
        for code, value in answers.items():
            if isinstance(value, NA):
                response = factories.answer(assessment, code, is_na=True, na_reason=value.reason)
            else:
                response = factories.answer(assessment, code, value)
            for field, text in (texts or {}).get(code, {}).items():
                setattr(response, field, text)
            response.save()
        assessment.status = Status.REVIEW
        assessment.save()
        return services.publish_assessment(assessment=assessment, by=project_staff)

    return publish


class NA:
    def __init__(self, reason):
        self.reason = reason


class PublishedCycle:
    """The assessments of one published cycle, by municipality and kind."""

    def __init__(self, cycle):
        self.cycle = cycle
        self.assessments = {}

    def __getitem__(self, key):
        return self.assessments[key]


@pytest.fixture
def published_2021(telavi, sighnaghi, cycle_2021, cso, publish):
    """Telavi and Sighnaghi in 2021, both kinds published.

    Telavi, self:      A.1.1 no, A.1.2 level 2 of 3, B.1.1 8 days
                       → A = 100 × (0 + 2/3) ÷ 2 = 33.3, B = (8 − 20) ÷ (5 − 20) = 80 → 56.7
    Telavi, external:  A.1.1 yes, A.2.1 60 %, B.1.1 not applicable
                       → A.1 = 100, A.2 = 60, A = 80, B has no score → 80.0 (High, rank 1)
    Sighnaghi, self:   A.1.1 yes, A.1.2 level 3 of 3, B.1.1 5 days → 100.0
    Sighnaghi, external: A.1.1 yes, A.2.1 50 %, B.1.1 14 days
                       → A = (100 + 50) ÷ 2 = 75, B = (14 − 20) ÷ (5 − 20) = 40 → 57.5 (rank 2)

    External scores lead (headline): the regional average is (80 + 57.5) ÷ 2 = 68.75 → 68.8.
    Telavi's gap, self minus external, is 56.7 − 80.0 = −23.3; Sighnaghi's is +42.5.
    """
    results = PublishedCycle(cycle_2021)
    results.assessments["telavi", "self"] = factories.assessment(telavi, cycle_2021, "self")
    publish(
        results["telavi", "self"],
        {"A.1.1": 0, "A.1.2": 2, "B.1.1": 8},
        texts={
            "A.1.2": {
                "evidence": "სტანდარტი მიღებულია საკრებულოს მიერ",
                "evidence_en": "The standard was adopted by the council",
            }
        },
    )
    results.assessments["telavi", "external"] = factories.assessment(
        telavi, cycle_2021, "external", organization=cso
    )
    publish(
        results["telavi", "external"],
        {"A.1.1": 1, "A.2.1": 60, "B.1.1": NA("მუნიციპალიტეტს ეს სერვისი არ აქვს")},
        texts={
            "A.2.1": {
                "evidence": "მოვინახულეთ 12 სოფელი 20-დან",
                "evidence_en": "We visited 12 of 20 villages",
                "reply": "დანარჩენი სოფლები 2022 წელს ჩაერთვება",
                "reply_en": "The other villages join in 2022",
            },
            "B.1.1": {"na_reason_en": "The municipality has no such service"},
        },
    )
    results.assessments["sighnaghi", "self"] = factories.assessment(sighnaghi, cycle_2021, "self")
    publish(results["sighnaghi", "self"], {"A.1.1": 1, "A.1.2": 3, "B.1.1": 5})
    results.assessments["sighnaghi", "external"] = factories.assessment(
        sighnaghi, cycle_2021, "external", organization=cso
    )
    publish(results["sighnaghi", "external"], {"A.1.1": 1, "A.2.1": 50, "B.1.1": 14})
    return results


@pytest.fixture
def cycle_2020(methodology):
    return factories.cycle(2020, methodology)


@pytest.fixture
def published_2020(telavi, sighnaghi, cycle_2020, cso, publish):
    """The year before, same methodology, external assessments only.

    Telavi: A.1.1 no, A.2.1 40 %, B.1.1 not applicable → A = (0 + 40) ÷ 2 = 20 → 20.0,
    so Telavi rises by 60.0 to 2021. Sighnaghi: the same answers as in 2021 → 57.5, no change.
    """
    results = PublishedCycle(cycle_2020)
    for place, answers in (
        (telavi, {"A.1.1": 0, "A.2.1": 40, "B.1.1": NA("სერვისი არ არის")}),
        (sighnaghi, {"A.1.1": 1, "A.2.1": 50, "B.1.1": 14}),
    ):
        assessment = factories.assessment(place, cycle_2020, "external", organization=cso)
        results.assessments[place.slug, "external"] = assessment
        publish(assessment, answers)
    return results


class Page:
    """A response as a person reads it: its text, its tables, its links."""

    def __init__(self, response):
        self.response = response
        self.status_code = response.status_code
        self.html = response.content.decode()

    def plain(self, html):
        text = re.sub(r"<[^>]+>", " ", html)
        return re.sub(r"\s+", " ", unescape(text)).strip()

    @property
    def text(self):
        """Everything shown in the body (SVG text included), in one line."""
        body = self.html.split("<body", 1)[-1]
        return self.plain(body)

    @property
    def lang(self):
        return re.search(r'<html lang="([^"]*)"', self.html).group(1)

    @property
    def title(self):
        return self.plain(re.search(r"<title>(.*?)</title>", self.html, re.S).group(1))

    def meta(self, name):
        """A <meta name=…> or <meta property=…> tag's content."""
        pattern = rf'<meta (?:name|property)="{re.escape(name)}" content="([^"]*)"'
        found = re.search(pattern, self.html)
        return unescape(found.group(1)) if found else None

    @property
    def rows(self):
        """Every table row, as a list of cell texts."""
        return [
            [self.plain(cell) for cell in re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr\b[^>]*>(.*?)</tr>", self.html, re.S)
        ]

    def row(self, heading):
        """The first table row one of whose first two cells contains the given text."""
        for cells in self.rows:
            if any(heading in cell for cell in cells[:2]):
                return cells
        raise AssertionError(f"no table row for {heading!r}")

    @property
    def anchors(self):
        """The attributes and the text of every link."""
        found = []
        for attrs, inner in re.findall(r"<a\b([^>]*)>(.*?)</a>", self.html, re.S):
            attributes = {k: unescape(v) for k, v in re.findall(r'([\w:-]+)="([^"]*)"', attrs)}
            found.append((attributes, self.plain(inner)))
        return found

    @property
    def links(self):
        """(address, text) of every link."""
        return [(attributes.get("href"), text) for attributes, text in self.anchors]

    def hrefs(self):
        return [href for href, _text in self.links]


@pytest.fixture
def visit(client):
    """Open a page as a citizen (or with the given client) and read it."""

    def visit(url, as_client=None):
        return Page((as_client or client).get(url))

    return visit


# --- Action plans ---------------------------------------------------------------------------


@pytest.fixture
def monitoring_cso(cso, telavi):
    """The demo CSO works in Telavi, so its monitors judge Telavi's plan."""
    cso.municipalities.add(telavi)
    return cso


@pytest.fixture
def other_cso(db, sighnaghi):
    """An organisation that works only in Sighnaghi."""
    organization = factories.organization("other-cso")
    organization.municipalities.add(sighnaghi)
    return organization


@pytest.fixture
def other_monitor(other_cso):
    return factories.cso_monitor("other-monitor", other_cso)


@pytest.fixture
def draft_plan(published_2021, telavi):
    """Telavi's draft plan for 2021's findings, 2022–2023: action 1 addresses A.1.1
    (external 100 in 2021), action 2 A.2.1 (external 60) and B.1.1 (N/A)."""
    plan = factories.plan(telavi, published_2021.cycle)
    factories.action(plan, 1, indicators=["A.1.1"], due_on=datetime.date(2022, 6, 30))
    factories.action(plan, 2, indicators=["A.2.1", "B.1.1"], budget=Decimal("40000.00"))
    return plan


@pytest.fixture
def telavi_plan(draft_plan, telavi_staff, monitoring_cso):
    """The same plan, adopted by Telavi's staff on 10 January 2022."""
    return factories.adopt(draft_plan, telavi_staff, now=ADOPTED_AT)


ADOPTED_AT = datetime.datetime(2022, 1, 10, 9, 0, tzinfo=datetime.UTC)
