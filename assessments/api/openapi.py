"""The OpenAPI 3.1 description of the public JSON API (assessments/api/views.py).

The document is the data file openapi.json beside this module, read once; it is served
as /api/v1/openapi.json and rendered for people at /ka/api/ and /en/api/. Every object
schema lists its required fields and forbids others, so that tests/assessments/test_api.py,
which validates every endpoint's real output against this document, notices when the
two drift apart.

The document is in English, as API descriptions are. The page for people translates
its summaries and descriptions when it is rendered, so PAGE_TEXTS repeats them for
makemessages, which reads no JSON; a test keeps the list and the file in step.
"""

import json
from pathlib import Path

from django.utils.translation import gettext_noop

DOCUMENT = json.loads(Path(__file__).with_name("openapi.json").read_text(encoding="utf-8"))
API_PREFIX = DOCUMENT["servers"][0]["url"]

PAGE_TEXTS = [
    # The path parameters' descriptions.
    gettext_noop("The year of the assessment cycle."),
    gettext_noop("The municipality's slug, for example telavi or sighnaghi."),
    gettext_noop("The code of the methodology version."),
    # /cycles/
    gettext_noop("Cycles with published results"),
    gettext_noop(
        "Every assessment cycle that has published results, newest first: its year, "
        "the methodology version it used and how many assessments are published."
    ),
    # /cycles/{year}/scores/
    gettext_noop("Every published score of a cycle"),
    gettext_noop(
        "Every published assessment of the cycle: the municipality, the kind of "
        "assessment, the overall score with its grade band, the score of each thematic "
        "area keyed by area code, and the rank among assessments of the same kind."
    ),
    # /scorecards/{year}/{slug}/
    gettext_noop("One municipality's scorecard"),
    gettext_noop(
        "A municipality's full published scorecard for a cycle: each kind's overall "
        "score, band, rank, revision and correction note; the scores of every area and "
        "criterion; every indicator's answer, its score from 0 to 100, evidence and links; and "
        "the change since the previous comparable cycle."
    ),
    # /methodology/{code}/
    gettext_noop("A methodology version"),
    gettext_noop(
        "The thematic areas, criteria and indicators of a methodology version, with "
        "their codes, names, descriptions, weights, response types, scale labels, "
        "thresholds and grade bands. Available for the current version and for every "
        "version that a cycle with published results used."
    ),
    # /plans/{slug}/
    gettext_noop("A municipality's action plans"),
    gettext_noop(
        "A municipality's adopted and closed Service Improvement Action Plans, newest first "
        "(an empty list when it has none; drafts are never given): the cycle each answers, "
        "its period, approving order and budget; every action with its texts, responsible "
        "unit, dates (and the due date first adopted, when it moved), budget in lari, status, "
        "progress and health (overdue, stale, unverified); its indicators' scores before and "
        "after; and the municipality's latest report with the monitoring organisations' "
        "verdicts on it and the municipality's answers."
    ),
    # /grants/calls/ (served by grants/api.py)
    gettext_noop("Grant calls and their awards"),
    gettext_noop(
        "Every call for proposals of the grant competition that has been announced, latest "
        "first: its texts, status, dates (in UTC, as every time the API gives), budget and "
        "grant limits in lari, eligible municipalities and priority indicators. A decided call "
        "also gives the number of applications submitted, every grant awarded (organisation, "
        "municipality, targeted indicators, amount and summary) and the total awarded. "
        "Reviewers and scores are never given."
    ),
]
