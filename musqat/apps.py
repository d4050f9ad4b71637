from axes.apps import AppConfig as AxesConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MusqatConfig(AppConfig):
    """The project itself, registered so that its start-up fixes run in ready()."""

    name = "musqat"
    verbose_name = "MUSQAT"

    def ready(self):
        from .admin_markup import (
            labelled_date_and_time_boxes,
            placeholder_in_required_autocompletes,
            yes_no_icons_in_words,
        )
        from .georgian import keep_georgian_lowercase, select2_in_georgian

        keep_georgian_lowercase()
        select2_in_georgian()
        placeholder_in_required_autocompletes()
        labelled_date_and_time_boxes()
        yes_no_icons_in_words()


class LoginAttemptsConfig(AxesConfig):
    """django-axes (sign-in throttling), under a name that says what its admin pages hold."""

    verbose_name = _("Sign-in protection")
