"""The scorecard marks the findings that awarded grants work on, although the scorecard's
app knows nothing of grants (musqat/marks.py)."""

import re

SCORECARD = "/en/scorecards/2021/telavi/"


def test_an_awarded_grant_marks_its_finding_on_the_scorecard(visit, awarded_application):
    page = visit(f"{SCORECARD}?show=acted")

    codes = re.findall(r'<article class="indicator" aria-labelledby="indicator-([^"]+)"', page.html)
    assert codes == ["A.2.1"]
    award = f"/en/grants/kakheti-2024/awards/{awarded_application.reference}/"
    assert (award, f"Grant {awarded_application.reference}: Water for every village") in page.links
    # The overview's table of area A notes it too (the last column, "Notes").
    notes = [row[-1] for row in visit(SCORECARD).rows if row[0] == "A.2.1 Indicator A.2.1"]
    assert "grant" in notes[-1]


def test_a_grant_not_yet_decided_marks_nothing(visit, submitted_application):
    page = visit(f"{SCORECARD}?show=acted")

    assert "Grant awarded:" not in page.text
    assert "/awards/" not in page.html
