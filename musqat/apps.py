from django.apps import AppConfig


class MusqatConfig(AppConfig):
    """The project itself, registered so that its start-up fixes run in ready()."""

    name = "musqat"
    verbose_name = "MUSQAT"

    def ready(self):
        from .georgian import keep_georgian_lowercase

        keep_georgian_lowercase()
