"""What the site search finds of the grant competition (musqat/search.py): the calls and
awards of the public register (`register.py`), and nothing else of an application.

An award is found by what its page shows: its reference, the organisation, the project's
title, and its summary in either language, which is the applicant's own only where
project staff wrote none in that language (`register.award_summary`).
"""

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from musqat.search import Query, Source, hit, matching, provides_search

from .. import register
from ..models import Application, Call


def find_calls(query: Query):
    now = timezone.now()
    found = Call.objects.public().filter(
        matching(query, ("title_ka", "title_en", "description_ka", "description_en"))
    )
    return [
        hit(
            query,
            title=call.title,
            url=reverse("grants:call", args=[call.slug]),
            context=register.call_row(call, now).status_label,
            names=[call.title_ka, call.title_en],
            texts=[(call.description_ka, "ka"), (call.description_en, "en")],
        )
        for call in found
    ]


def _no_public_summary(language: str) -> Q:
    return Q(**{f"public_summary_{language}__isnull": True}) | Q(
        **{f"public_summary_{language}": ""}
    )


def _applicant_s_summary(term: str) -> Q:
    """The applicant's summary, where a page shows it: in a language with no summary of
    the project's own."""
    return Q(summary__icontains=term) & (_no_public_summary("ka") | _no_public_summary("en"))


def find_awards(query: Query):
    fields = (
        "reference",
        "title",
        "organization__name_ka",
        "organization__name_en",
        "public_summary_ka",
        "public_summary_en",
        _applicant_s_summary,
    )
    found = (
        Application.objects.awarded()
        .filter(matching(query, fields))
        .select_related("call", "organization", "municipality")
        .order_by("-call__closes_at", "reference")
    )
    hits = []
    for award in found:
        summaries = dict.fromkeys(
            register.award_summary(award, language) for language in register.LANGUAGES
        )
        context = [_("Grant %(reference)s") % {"reference": award.reference}, award.call.title]
        if award.municipality is not None:
            context.append(award.municipality.name)
        hits.append(
            hit(
                query,
                title=award.organization.name,
                url=reverse("grants:award", args=[award.call.slug, award.reference]),
                context=" · ".join(context),
                names=[
                    award.reference,
                    award.organization.name_ka,
                    award.organization.name_en,
                    award.title,
                ],
                texts=[(summary, None) for summary in summaries],
            )
        )
    return hits


provides_search(Source("calls", gettext_lazy("Grant calls"), find_calls, order=40))
provides_search(Source("awards", gettext_lazy("Grants awarded"), find_awards, order=50))
