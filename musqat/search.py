"""The site search at /ka/search/?q=… and /en/search/?q=….

The apps register what may be found (`provides_search`), each kind with one function
that reads it in a single query: this module knows no app, and the apps know only it.
The municipalities, the methodology and the action plans are registered by
`assessments` (their pages are its pages), the calls and awards by `grants`.

How text is matched, and why not PostgreSQL's own search: there is no Georgian
text-search dictionary, so full-text search could only split words (and `simple`
would still miss the part of a word that Georgian inflects: ქალაქი, ქალაქის); and
pg_trgm keeps Georgian letters only where the database's character type knows them
(a database made with the C locale drops them). What is searched is small (dozens
of municipalities, a hundred indicators per methodology, a few hundred actions), so
every word of the query is looked for as part of a text, case-insensitively
(`icontains`, the same on PostgreSQL and SQLite, in either script), and the hits are
ranked here by one rule (`rank`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import reduce
from operator import and_, or_

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

# A query is cut to this many characters: nobody types more, and each word costs a
# condition on every searched column.
MAX_LENGTH = 200
# Shorter queries find nearly everything (one letter is in most names).
MIN_LENGTH = 2
# Words beyond these are ignored, for the same reason as MAX_LENGTH.
MAX_TERMS = 8
# Hits of each kind on the page of all kinds; the rest are a link away.
PREVIEW = 5
# Hits per page of one kind.
PAGE_SIZE = 20
# Characters of context either side of a match in an excerpt.
EXCERPT_CONTEXT = 70

# Control, format, private-use and surrogate characters: never part of a name.
UNPRINTABLE = {"Cc", "Cf", "Co", "Cs"}
GEORGIAN = re.compile("[\u10a0-\u10ff\u1c90-\u1cbf]")


@dataclass(frozen=True)
class Query:
    """What someone searched for: the text as it stays in the box (cleaned and cut), and
    the words looked for (case-folded, at most MAX_TERMS)."""

    text: str
    terms: tuple[str, ...]
    shortened: bool = False

    @classmethod
    def read(cls, raw: str | None) -> Query:
        text = unicodedata.normalize("NFKC", raw or "")
        text = "".join(c for c in text if unicodedata.category(c) not in UNPRINTABLE)
        text = " ".join(text.split())
        shortened = len(text) > MAX_LENGTH
        text = text[:MAX_LENGTH].strip()
        terms = tuple(dict.fromkeys(word.casefold() for word in text.split()))[:MAX_TERMS]
        return cls(text=text, terms=terms, shortened=shortened)

    @property
    def is_searchable(self) -> bool:
        return len(self.text) >= MIN_LENGTH

    @property
    def phrase(self) -> str:
        return " ".join(self.text.casefold().split())


# A field is a column name (looked up with icontains) or a function of one word that
# gives the condition itself, for text shown only under a condition.
Field = str | Callable[[str], Q]


def matching(query: Query, fields: Sequence[Field]) -> Q:
    """Rows where every word of the query is part of one of the fields."""

    def term_in_any(term: str) -> Q:
        return reduce(
            or_,
            (f(term) if callable(f) else Q(**{f"{f}__icontains": term}) for f in fields),
        )

    return reduce(and_, (term_in_any(term) for term in query.terms))


def _level(query: Query, text: str) -> int:
    """How well one text matches: 0 it is the query, 1 it starts with it, 2 a word of
    it does, 3 it contains it, 4 it contains only some of the words."""
    folded = " ".join(str(text or "").casefold().split())
    phrase = query.phrase
    if not folded:
        return 4
    if folded == phrase:
        return 0
    if folded.startswith(phrase):
        return 1
    if re.search(r"(?<!\w)" + re.escape(phrase), folded):
        return 2
    return 3 if phrase in folded else 4


def rank(query: Query, names: Sequence[str], texts: Sequence[str] = ()) -> tuple[int, int]:
    """The order of hits of one kind: the best match among the names (codes and names),
    then among the longer texts; ties keep the order the source gave."""
    return (
        min((_level(query, name) for name in names), default=4),
        min((_level(query, text) for text in texts), default=4),
    )


def language_of(text: str) -> str:
    """The lang attribute of a text: "ka" when it has Georgian letters, else "en"."""
    return "ka" if GEORGIAN.search(text) else "en"


def highlighted(query: Query, text: str, lang: str | None = None) -> SafeString | None:
    """The passage of the text around the first word of the query found in it, the words
    marked, everything else escaped; None when no word is in it."""
    text = " ".join(str(text or "").split())
    words = sorted(query.terms, key=len, reverse=True)
    if not text or not words:
        return None
    pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
    first = pattern.search(text)
    if first is None:
        return None
    start = max(0, first.start() - EXCERPT_CONTEXT)
    end = min(len(text), first.end() + EXCERPT_CONTEXT * 2)
    if start > 0 and " " in text[start : first.start()]:
        start = text.index(" ", start) + 1
    if end < len(text) and " " in text[first.end() : end]:
        end = text.rindex(" ", first.end(), end)
    passage = text[start:end]
    parts, at = [], 0
    for found in pattern.finditer(passage):
        parts.append(escape(passage[at : found.start()]))
        parts.append(f"<mark>{escape(found.group())}</mark>")
        at = found.end()
    parts.append(escape(passage[at:]))
    shown = ("… " if start > 0 else "") + "".join(parts) + (" …" if end < len(text) else "")
    return format_html('<span lang="{}">{}</span>', lang or language_of(text), mark_safe(shown))


@dataclass(frozen=True)
class Hit:
    """One thing found: what it is called, where it is read, what it belongs to, and the
    passage that matched where the name alone does not show why it was found."""

    title: str
    url: str
    context: str = ""
    excerpt: SafeString | None = None
    order: tuple = ()


def hit(
    query: Query,
    *,
    title: str,
    url: str,
    context: str = "",
    names: Sequence[str] = (),
    texts: Sequence[tuple[str, str | None]] = (),
) -> Hit:
    """A hit ranked by its names and texts; its excerpt is the first of its names or texts
    (each a (text, language) pair; None: guess) with the query in it, unless the title or
    the context already shows that text (a code, a name)."""
    shown = " ".join(title.split()) + "\n" + " ".join(context.split())
    candidates = [
        (text, lang)
        for text, lang in [(name, None) for name in names] + list(texts)
        if text and " ".join(text.split()) not in shown
    ]
    # The whole query in one text first, else any of its words.
    candidates.sort(key=lambda candidate: _level(query, candidate[0]) > 3)
    excerpt = next(
        (found for text, lang in candidates if (found := highlighted(query, text, lang))), None
    )
    return Hit(
        title=title,
        url=url,
        context=context,
        excerpt=excerpt,
        order=rank(query, names, [text for text, _lang in texts]),
    )


@dataclass(frozen=True)
class Source:
    """A kind of thing the search finds: `kind` names it in the address (?kind=…),
    `find` reads the hits of a query in one database query, in their natural order."""

    kind: str
    label: str
    find: Callable[[Query], list[Hit]]
    order: int = 0


_sources: dict[str, Source] = {}


def provides_search(source: Source) -> Source:
    """Register a kind of thing to find (registering a kind again replaces it)."""
    _sources[source.kind] = source
    return source


def sources() -> list[Source]:
    return sorted(_sources.values(), key=lambda source: (source.order, source.kind))


@dataclass
class Group:
    """The hits of one kind, best first."""

    source: Source
    hits: list[Hit] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.hits)

    @property
    def preview(self) -> list[Hit]:
        return self.hits[:PREVIEW]


def find(query: Query, kinds: Sequence[Source] | None = None) -> list[Group]:
    """Every registered kind's hits (or those of the given kinds), best first: one database
    query per kind, whatever the number of hits."""
    groups = []
    for source in sources() if kinds is None else kinds:
        hits = source.find(query)
        groups.append(Group(source, sorted(hits, key=lambda h: h.order)))
    return groups


def search(request):
    """The search page: the box, and what the query found, grouped by kind (or the hits
    of one kind, a page at a time). Not stored by the page cache: its addresses are
    whatever people type."""
    query = Query.read(request.GET.get("q"))
    chosen = _sources.get(request.GET.get("kind", ""))
    context = {"query": query, "min_length": MIN_LENGTH, "max_length": MAX_LENGTH}
    if query.is_searchable:
        groups = find(query, [chosen] if chosen else None)
        context |= {"groups": groups, "total": sum(group.count for group in groups)}
        if chosen:
            context |= {
                "chosen": chosen,
                "page": Paginator(groups[0].hits, PAGE_SIZE).get_page(request.GET.get("page")),
            }
    response = render(request, "search.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response
