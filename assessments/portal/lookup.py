"""Finding what a public address names: only published results, else a 404."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from municipalities.models import Municipality

from ..models import Cycle, Document
from ..pdf.documents import find as find_pdf
from ..results.cycles import published_cycles
from ..results.scorecard import Scorecard
from ..results.scorecard import scorecard as scorecard_of


def published_cycle(year=None):
    """The newest cycle with published results, or the given one (404 if nothing is published)."""
    cycles = published_cycles()
    if year is None:
        return cycles.first()
    return get_object_or_404(cycles, year=year)


def published_scorecard(year, slug) -> Scorecard:
    place = get_object_or_404(Municipality, slug=slug)
    cycle = get_object_or_404(Cycle, year=year)
    card = scorecard_of(place, cycle)
    if card is None:
        raise Http404(_("This scorecard is not published."))
    return card


def report_pdf_of(cycle):
    """The regional report PDF of a cycle in the page's language, if one was ever queued."""
    return find_pdf(Document.REPORT, cycle=cycle) if cycle else None
