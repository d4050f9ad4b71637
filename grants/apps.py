from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrantsConfig(AppConfig):
    name = "grants"
    verbose_name = _("Grants")

    def ready(self):
        # The modules that define tasks, so that Celery registers them (their names are
        # pinned with name=, see musqat/settings.py for routes and the beat).
        from . import documents, exports, notifications, services  # noqa: F401
