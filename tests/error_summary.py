"""Reading the summary at the top of a refused form (musqat/templatetags/form_errors.py)."""

import re
from html import unescape


def _plain(html):
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


def error_summary(html):
    """The summary's heading and its lines as (the id linked to, or None, and the line's
    text); each link must lead to a form control of the page, so that it can take the
    focus."""
    found = re.search(r'<div\b[^>]*id="error-summary"[^>]*>(.*?)</ul>', html, re.S)
    assert found, "no error summary"
    inside = found.group(1)
    heading = re.search(r'id="error-summary-heading"[^>]*>(.*?)</(?:h2|p)>', inside, re.S)
    lines = []
    for item in re.findall(r"<li>(.*?)</li>", inside, re.S):
        link = re.search(r'href="#([^"]+)"', item)
        target = link and link.group(1)
        if target:
            control = re.search(rf'<(input|select|textarea)\b[^>]*\sid="{re.escape(target)}"', html)
            assert control, f"the summary links to #{target}, which is no field of the page"
        lines.append((target, _plain(item)))
    return _plain(heading.group(1)), lines
