"""A municipality's Atom feed: its publications, plan adoptions, progress reports and
monitoring verdicts, so that citizens and journalists can follow it without an account.

The entries are `results.plans.events`, which reads only published snapshots and public
plans: a draft never appears. Titles are in the language of the address (/ka/ or /en/).
"""

from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _

from municipalities.models import Municipality
from musqat.cache import public_page

from ..results.plans import Event, events
from ..templatetags.scores import score
from ..workflow import Kind


@dataclass(frozen=True)
class Source:
    """The municipality a feed follows, and where the feed is read from (for entry ids)."""

    municipality: Municipality
    host: str
    path: str


@dataclass(frozen=True)
class Entry:
    event: Event
    guid: str
    municipality: Municipality


def _guid(source: Source, event: Event) -> str:
    """A tag URI unique to the event and the feed's language, stable across reads."""
    return f"tag:{source.host},{event.at:%Y-%m-%d}:{source.path}{event.uid}"


class MunicipalityFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, slug):
        place = get_object_or_404(Municipality, slug=slug)
        return Source(municipality=place, host=request.get_host().split(":")[0], path=request.path)

    def title(self, source):
        return _("%(name)s: scorecards and action plan") % {"name": source.municipality.name}

    def subtitle(self, source):
        return _(
            "Published scorecards, the adopted action plan, its progress reports and the "
            "monitoring organisations' verdicts on them."
        )

    def link(self, source):
        return reverse("assessments:municipality", args=[source.municipality.slug])

    def author_name(self, source):
        return "MUSQAT"

    def items(self, source):
        return [
            Entry(event=event, guid=_guid(source, event), municipality=source.municipality)
            for event in events(source.municipality)
        ]

    def item_title(self, entry):
        return TITLES[entry.event.kind](entry.event, entry.municipality.name)

    def item_description(self, entry):
        return DESCRIPTIONS[entry.event.kind](entry.event)

    def item_link(self, entry):
        return entry.event.url

    def item_guid(self, entry):
        return entry.guid

    item_guid_is_permalink = False

    def item_pubdate(self, entry):
        return entry.event.at

    def item_updateddate(self, entry):
        return entry.event.at

    def item_author_name(self, entry):
        event = entry.event
        if event.kind == "verdict":
            return event.subject.organization.name
        if event.kind == "published":
            assessment = event.subject.assessment
            if assessment.kind == Kind.EXTERNAL and assessment.organization:
                return assessment.organization.name
        return entry.municipality.name


def _published_title(event: Event, name: str) -> str:
    snapshot = event.subject
    values = {
        "name": name,
        "year": snapshot.assessment.cycle.year,
        "kind": Kind(snapshot.assessment.kind).label,
        "revision": snapshot.revision,
    }
    if snapshot.revision > 1:
        return _("%(name)s: scorecard %(year)s corrected (%(kind)s, revision %(revision)s)") % (
            values
        )
    return _("%(name)s: scorecard %(year)s published (%(kind)s)") % values


def _adopted_title(event: Event, name: str) -> str:
    plan = event.subject
    return _("%(name)s adopted its action plan for %(period)s") % {
        "name": name,
        "period": plan.period,
    }


def _reported_title(event: Event, name: str) -> str:
    update = event.subject
    return _("%(name)s, action %(number)s “%(title)s”: %(status)s, %(progress)s%%") % {
        "name": name,
        "number": update.action.number,
        "title": update.action.title,
        "status": update.get_status_display(),
        "progress": update.shown_progress,
    }


def _verdict_title(event: Event, name: str) -> str:
    verdict = event.subject
    return _("%(organisation)s on action %(number)s of %(name)s: %(verdict)s") % {
        "organisation": verdict.organization.name,
        "number": verdict.update.action.number,
        "name": name,
        "verdict": verdict.get_verdict_display(),
    }


TITLES = {
    "published": _published_title,
    "adopted": _adopted_title,
    "reported": _reported_title,
    "verdict": _verdict_title,
}


# Descriptions are HTML (Atom's summary type="html"): whatever people typed is escaped.


def _published_description(event: Event) -> str:
    snapshot = event.subject
    text = _("Overall score: %(score)s out of 100.") % {"score": score(snapshot.overall)}
    if snapshot.revision > 1 and snapshot.note:
        text = f"{text} {snapshot.note}"
    return escape(text)


def _adopted_description(event: Event) -> str:
    plan = event.subject
    return escape(
        _("The plan answers the findings of %(year)s and was approved by order %(number)s.")
        % {"year": plan.cycle.year, "number": plan.order_number}
    )


def _reported_description(event: Event) -> str:
    return linebreaks(event.subject.text, autoescape=True)


def _verdict_description(event: Event) -> str:
    return linebreaks(event.subject.text, autoescape=True)


DESCRIPTIONS = {
    "published": _published_description,
    "adopted": _adopted_description,
    "reported": _reported_description,
    "verdict": _verdict_description,
}


municipality_feed = public_page(MunicipalityFeed())
