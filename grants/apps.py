from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from musqat.marks import provides_marks


class GrantsConfig(AppConfig):
    name = "grants"
    verbose_name = _("Grants")

    def ready(self):
        # The modules that define tasks, so that Celery registers them (their names are
        # pinned with name=, see musqat/settings.py for routes and the beat).
        from . import documents, exports, notifications, services  # noqa: F401

        # The calls and awards the site search finds (musqat/search.py).
        from .portal import search  # noqa: F401
        from .register import grants_on_findings

        # The scorecard marks the findings that awarded grants work on (musqat/marks.py).
        provides_marks(grants_on_findings)
