"""Private files: kept outside MEDIA_ROOT and served only by views that check who asks."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404
from django.utils.cache import patch_cache_control
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


def serve_private(field, name: str | None = None):
    """A private file as a download, for a view that has checked who asks: never cached
    by a shared cache, never sniffed or run by the browser; a missing file is a 404."""
    if not field or not field.storage.exists(field.name):
        raise Http404
    response = FileResponse(
        field.open("rb"), as_attachment=True, filename=name or field.name.rsplit("/", 1)[-1]
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    patch_cache_control(response, private=True, no_store=True)
    return response
