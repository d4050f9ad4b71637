"""The scorecard PDF shows the action plan that answers its cycle, once adopted: its
period, order, counts and budget, and every action with the municipality's status beside
the monitoring organisation's verdict. A draft shows nowhere. When the plan is adopted or
its reports and verdicts change, the stored scorecard counts as stale and is made again.

Laying a PDF out takes a second or two, so few tests here lay one out for real.
"""

import datetime
import re
import subprocess
import tempfile

import pytest
from django.utils import translation

from assessments.models import ActionStatus, Document, VerdictKind
from assessments.pdf import documents, jobs
from assessments.plans import services
from tests import factories

from .. import pdf_tools


def scorecard_pdf(municipality, cycle, language) -> str:
    """Telavi's scorecard laid out in a language, as a reader reads its words."""
    documents.renderings_for([(Document.SCORECARD, cycle.pk, municipality.pk, None)])
    rendering = documents.find(
        Document.SCORECARD, language=language, cycle=cycle, municipality=municipality
    )
    with translation.override(language):
        content, _pages = jobs.render(rendering)
    return content


def lines(pdf: bytes) -> list[str]:
    """The document's lines as they stand on the page, for reading across a table row."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        done = subprocess.run(
            ["pdftotext", "-layout", file.name, "-"], capture_output=True, check=True, timeout=60
        )
    return [re.sub(r"\s+", " ", line).strip() for line in done.stdout.decode().splitlines()]


def in_language(language, text):
    """A label in the language: a lazy one (a model's choice) or a catalogue's text."""
    with translation.override(language):
        return translation.gettext(text) if isinstance(text, str) else str(text)


def scorecard_source(municipality, cycle):
    return documents.current_sources(cycle=cycle)[
        (Document.SCORECARD, cycle.pk, municipality.pk, None)
    ]


@pytest.fixture
def disputed_report(telavi_plan, telavi_staff, cso_monitor, monitoring_cso):
    """Telavi reports action 1 done; the CSO monitor disputes it, and Telavi answers."""
    update = services.report_progress(
        action=telavi_plan.actions.get(number=1),
        by=telavi_staff,
        reported_on=datetime.date(2022, 5, 1),
        status=ActionStatus.DONE,
        text="დასრულდა",
        today=datetime.date(2022, 5, 2),
    )
    verdict = services.give_verdict(
        update=update,
        by=cso_monitor,
        organization_id=monitoring_cso.pk,
        verdict=VerdictKind.DISPUTED,
        text="სამუშაოები არ დაწყებულა",
    )
    services.answer_verdict(verdict=verdict, by=telavi_staff, text="ფოტოები თან ერთვის")
    return verdict


# --- What the PDF shows (laid out for real) -------------------------------------------------


def test_it_shows_telavi_s_adopted_plan_in_georgian(
    media, telavi, cycle_2021, telavi_plan, disputed_report, monitoring_cso
):
    pdf = scorecard_pdf(telavi, cycle_2021, "ka")
    text = pdf_tools.text(pdf)

    assert in_language("ka", "Action plan") in text
    # Each action in Georgian, with its responsible unit.
    assert "ღონისძიება 1" in text
    assert "ღონისძიება 2" in text
    assert "ინფრასტრუქტურის სამსახური" in text
    assert "Action 1" not in text
    # The municipality's status beside the CSO's verdict on its report.
    assert in_language("ka", VerdictKind.DISPUTED.label) in text
    assert monitoring_cso.name_ka in text
    # The order, and the total budget with Georgian marks: 12 500,50 + 40 000,00.
    assert "N 123" in text
    assert "52 500,50 ₾" in text
    # No character is missing from the bundled fonts.
    fonts = pdf_tools.fonts(pdf)
    assert "Noto-Sans-Georgian" in {font.name for font in fonts}
    assert [font for font in fonts if not font.embedded] == []
    # Its indicators with their 2021 scores: A.1.1 100, A.2.1 60, B.1.1 not applicable.
    assert "A.1.1 100,0" in text
    assert "A.2.1 60,0" in text


def test_it_shows_telavi_s_adopted_plan_in_english(
    media, telavi, cycle_2021, telavi_plan, disputed_report, monitoring_cso, telavi_staff
):
    action = telavi_plan.actions.get(number=2)
    action.due_on = datetime.date(2023, 11, 30)
    action.save()
    services.record_due_date_change(
        action=action, old_due_on=datetime.date(2023, 12, 31), by=telavi_staff
    )

    pdf = scorecard_pdf(telavi, cycle_2021, "en")
    text = pdf_tools.text(pdf)

    assert "Action plan" in text
    assert "2022–2023" in text
    assert "Mayor's order N 123 of 01.01.2022" in text
    assert "Total budget 52,500.50 ₾" in text
    assert "Action 1" in text
    assert "Infrastructure department" in text
    assert "ღონისძიება" not in text
    # Action 1 was reported done and the CSO disputes it; Telavi answered.
    assert "done · 100%" in text
    assert "disputed" in text
    assert "the municipality answered" in text
    # Action 2 has no report; its due date moved, and the first one stays visible. Its
    # plan ran to 2023, so it is now overdue and counts as delayed.
    assert "no report yet" in text
    assert "30.11.2023" in text
    assert "first 31.12.2023" in text
    assert "1 done" in text
    assert "1 delayed" in text
    assert "0 dropped" in text
    assert "/en/municipalities/telavi/plan/" in text
    # The bundled fonts cover every character: none is left to a system font.
    fonts = pdf_tools.fonts(pdf)
    assert [font for font in fonts if not font.embedded] == []
    assert {font.name for font in fonts} <= {
        "Noto-Sans-Georgian",
        "Noto-Sans-Georgian-Bold",
        "Noto-Sans-Georgian-Latin",
        "Noto-Sans-Georgian-Latin-Bold",
        "Noto-Sans-Georgian-Latin-Ext",
        "Noto-Sans-Georgian-Latin-Ext-Bold",
    }, fonts


def test_a_draft_plan_is_not_in_the_scorecard_pdf(media, telavi, cycle_2021, draft_plan):
    for language in ("ka", "en"):
        text = pdf_tools.text(scorecard_pdf(telavi, cycle_2021, language))

        assert in_language(language, "Action plan") not in text
        assert "ღონისძიება 1" not in text
        assert "Action 1" not in text
        assert "Infrastructure department" not in text


def test_a_plan_for_2020_shows_its_indicators_before_and_after_in_2021(
    media, published_2020, published_2021, telavi, cycle_2020, telavi_staff
):
    plan = factories.plan(telavi, cycle_2020, starts_on="2021-01-01", ends_on="2022-12-31")
    factories.action(plan, 1, indicators=["A.2.1"], title_en="Water for every village")
    factories.adopt(plan, telavi_staff)

    pdf = scorecard_pdf(telavi, cycle_2020, "en")
    text = pdf_tools.text(pdf)

    # A.2.1 was 40 % in 2020 and 60 % in 2021: 40.0, then 60.0, up by 20.0.
    row = next(line for line in lines(pdf) if "Water for every village" in line)
    assert row.endswith("A.2.1 40.0 60.0 +20.0"), row
    assert "then in 2021" in text


# --- When the scorecard is made again -------------------------------------------------------


def test_adopting_a_plan_makes_the_stored_scorecard_stale(
    published_2021, telavi, cycle_2021, draft_plan, telavi_staff, monitoring_cso
):
    before = scorecard_source(telavi, cycle_2021)
    draft_plan.order_number = "N 7"
    draft_plan.save()
    assert scorecard_source(telavi, cycle_2021) == before  # a draft changes nothing

    factories.adopt(draft_plan, telavi_staff)

    assert scorecard_source(telavi, cycle_2021) != before


def test_a_report_a_verdict_and_an_answer_each_make_the_scorecard_stale(
    telavi_plan, telavi, cycle_2021, telavi_staff, cso_monitor, monitoring_cso
):
    seen = [scorecard_source(telavi, cycle_2021)]
    update = services.report_progress(
        action=telavi_plan.actions.get(number=1),
        by=telavi_staff,
        reported_on=datetime.date(2022, 5, 1),
        status=ActionStatus.IN_PROGRESS,
        text="ტენდერი გამოცხადდა",
        today=datetime.date(2022, 5, 2),
    )
    seen.append(scorecard_source(telavi, cycle_2021))
    verdict = services.give_verdict(
        update=update,
        by=cso_monitor,
        organization_id=monitoring_cso.pk,
        verdict=VerdictKind.DISPUTED,
        text="სამუშაოები არ დაწყებულა",
    )
    seen.append(scorecard_source(telavi, cycle_2021))
    services.answer_verdict(verdict=verdict, by=telavi_staff, text="ფოტოები თან ერთვის")
    seen.append(scorecard_source(telavi, cycle_2021))

    assert len(set(seen)) == 4


def test_a_plan_leaves_sighnaghi_s_scorecard_as_it_was(
    published_2021, sighnaghi, cycle_2021, draft_plan, telavi_staff, monitoring_cso
):
    before = scorecard_source(sighnaghi, cycle_2021)

    factories.adopt(draft_plan, telavi_staff)

    assert scorecard_source(sighnaghi, cycle_2021) == before


def test_the_sweep_makes_the_scorecard_again_once_the_plan_is_adopted(
    published_2021, telavi, cycle_2021, draft_plan, telavi_staff, monitoring_cso, settings,
    media, monkeypatch, django_capture_on_commit_callbacks,
):  # fmt: skip
    settings.RENDER_PDFS = True
    made = []

    def render(rendering):
        made.append(rendering.municipality.slug if rendering.municipality else None)
        return b"%PDF-1.4\n%%EOF\n", 1

    monkeypatch.setattr(jobs, "render", render)
    with django_capture_on_commit_callbacks(execute=True):
        jobs.sweep_pdfs()
    made.clear()

    factories.adopt(draft_plan, telavi_staff)
    with django_capture_on_commit_callbacks(execute=True):
        jobs.sweep_pdfs()

    # Telavi's scorecard in both languages, and nothing else.
    assert made == ["telavi", "telavi"]
