from django.apps import AppConfig


class MusqatConfig(AppConfig):
    """The project itself: site-wide templates and start-up fixes."""

    name = "musqat"
    verbose_name = "MUSQAT"

    def ready(self):
        from .georgian import keep_georgian_lowercase

        keep_georgian_lowercase()
