"""What every page's head and frame say about the page, whatever the page."""

import re

from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation


def rendered_base(path: str) -> str:
    request = RequestFactory().get(path)
    with translation.override("en"):
        return render_to_string("base.html", request=request)


def test_the_language_alternates_are_absolute_addresses_of_the_same_page():
    html = rendered_base("/en/methodology/?cycle=2021")

    alternates = re.findall(r'<link rel="alternate" hreflang="(\w+)" href="([^"]+)">', html)

    assert alternates == [
        ("ka", "http://testserver/ka/methodology/?cycle=2021"),
        ("en", "http://testserver/en/methodology/?cycle=2021"),
    ]


def test_the_language_switch_keeps_its_links_on_the_site():
    html = rendered_base("/en/methodology/")

    assert '<a class="nav-link" href="/ka/methodology/" hreflang="ka" lang="ka">' in html


def test_the_demonstration_notice_is_a_landmark_of_its_own(settings):
    settings.DEMO_MODE = True

    html = rendered_base("/en/methodology/")

    assert '<aside class="demo-notice" aria-labelledby="demo-notice-title">' in html
    assert '<strong id="demo-notice-title">Demonstration data.</strong>' in html
