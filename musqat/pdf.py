"""The PDF engine: WeasyPrint with the bundled fonts and stylesheet, and an atomic store.

Any app lays out a template as a PDF with `render_html` and keeps it with `store`.
Fonts, styles and images come only from the project's static folder. WeasyPrint is
imported when a document is first laid out, so that web processes, which never lay
one out, do not load it.
"""

from __future__ import annotations

import atexit
import functools
import gc
import html
import os
import re
import tempfile

from django.conf import settings
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

STATIC_ROOT = settings.BASE_DIR / "static"
STYLESHEET = STATIC_ROOT / "css" / "pdf.css"

# Characters that could end the string or the <style> element it is written into.
UNSAFE_IN_CSS_STRING = re.compile(r'[\\"<>&\n\r\f]')


def css_string(value) -> str:
    """Text as a quoted CSS string, e.g. for running headers in @page rules. The filter
    reads rendered template text, HTML-escaped: it is put back into plain text first, so
    that "Rock & Roll" prints as written, and then escaped for CSS."""
    text = re.sub(r"\s+", " ", html.unescape(str(value)))
    return mark_safe('"' + UNSAFE_IN_CSS_STRING.sub(lambda m: f"\\{ord(m.group()):x} ", text) + '"')


def css_content(text: str) -> str:
    """A translated "Page %(page)s of %(pages)s" as a CSS content value with counters."""
    parts = re.split(r"%\((page|pages)\)s", text)
    return mark_safe(" ".join(
        f"counter({part})" if i % 2 else css_string(part) for i, part in enumerate(parts) if part
    ))  # fmt: skip


def _common_context() -> dict:
    return {
        "demo_mode": settings.DEMO_MODE,
        "LANGUAGE_CODE": translation.get_language(),
        "page_counter": css_content(_("Page %(page)s of %(pages)s")),
        "site_url": settings.SITE_URL,
    }


@functools.cache
def _bundled_files():
    """Fonts, styles and images come from the project's static folder, never the network;
    one that cannot be read stops the render instead of leaving a gap."""
    from weasyprint.urls import URLFetcher

    class BundledFiles(URLFetcher):
        def fetch(self, url, headers=None):
            path = os.path.realpath(url.removeprefix("file://").split("?")[0])
            if not url.startswith("file://") or not path.startswith(str(STATIC_ROOT) + os.sep):
                raise ValueError(f"PDFs use only bundled files, not {url}")
            return super().fetch(url, headers)

    return BundledFiles(allowed_protocols=["file"], fail_on_errors=True)


@functools.cache
def _style():
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    css = weasyprint.CSS(filename=str(STYLESHEET), font_config=fonts, url_fetcher=_bundled_files())
    # Let go of the fonts before the interpreter tears down the modules they need.
    atexit.register(_style.cache_clear)
    return css, fonts


# Whitespace before a block-level or SVG tag shows nowhere; dropping it spares the
# layout engine a few thousand empty text boxes per document.
BLANK_BEFORE_BLOCK = re.compile(
    r"\s+<(?=/?(?:html|head|body|style|title|meta|section|div|p|h[1-4]|ul|ol|li|table|caption"
    r"|thead|tbody|tr|th|td|svg|g|defs|pattern|rect|line|path|circle|text|desc)[\s>/])"
)


def warm_up() -> None:
    """Load the fonts and the stylesheet and lay out a line of each script, so that a
    worker's first document is as quick as the rest."""
    import weasyprint

    css, fonts = _style()
    weasyprint.HTML(string="<p>ქართული <b>Latin 0123</b></p>").render(
        stylesheets=[css], font_config=fonts
    ).write_pdf()


def render_html(template: str, context: dict) -> tuple[bytes, int]:
    """Lay a template out in the current language: the PDF and its page count."""
    import weasyprint

    html = BLANK_BEFORE_BLOCK.sub("<", render_to_string(template, {**_common_context(), **context}))
    css, fonts = _style()
    # Layout makes a great many short-lived objects; letting the cyclic collector scan
    # them again and again mid-render costs about a fifth of the time. Collect once after.
    collecting = gc.isenabled()
    gc.disable()
    try:
        document = weasyprint.HTML(
            string=html, base_url=settings.SITE_URL.rstrip("/") + "/", url_fetcher=_bundled_files()
        ).render(stylesheets=[css], font_config=fonts)
        content, pages = document.write_pdf(), len(document.pages)
    finally:
        if collecting:
            gc.enable()
    del document
    gc.collect(0)  # everything made during the render is still in the youngest generation
    return content, pages


def store(name: str, content: bytes) -> str:
    """Write the file beside its final name, then rename it into place in one step, so
    that a half-written file is never served."""
    path = default_storage.path(name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return name
