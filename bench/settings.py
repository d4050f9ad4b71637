"""The site's own settings, with bench/urls.py as the urlconf: the scale benchmark serves
the site unchanged beside one trivial page to compare it with."""

from musqat.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
