"""Private files: kept outside MEDIA_ROOT and served only by views that check who asks."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property


class PrivateStorage(FileSystemStorage):
    """Files under settings.PRIVATE_ROOT, outside MEDIA_ROOT: no /media/ address serves
    them, only views that check who asks. Like the default storage it reads its folder
    from the setting when first used and again whenever the setting changes (tests), and
    not once at import time, when a FileField evaluates its storage."""

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        raise ValueError("Private files have no public address; serve them through a view.")


def private_storage() -> PrivateStorage:
    return PrivateStorage()
