"""Evidence an answer brings: uploaded files checked by their content, and links."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from musqat.uploads import SIGNATURES, check_name_and_size, content_matches, extension_of

from ..models import EvidenceFile


def check_evidence_file(upload) -> None:
    """Refuse a file whose name is too long to keep, that is too big, or that is not a PDF,
    an image or an office document."""
    name = upload.name
    check_name_and_size(
        upload,
        name_limit=EvidenceFile._meta.get_field("title").max_length,
        max_bytes=settings.EVIDENCE_MAX_BYTES,
        too_big=_("“%(name)s” is %(size)s; an evidence file may be %(limit)s at most."),
    )
    if not content_matches(upload, extension_of(name)):
        raise ValidationError(
            _(
                "“%(name)s” is not a PDF, an image (PNG, JPEG, GIF, WebP) or an office "
                "document (Word, Excel, PowerPoint, OpenDocument)."
            ),
            code="file_type",
            params={"name": name},
        )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceFilesField(forms.FileField):
    """Several evidence files at once, each checked by check_evidence_file."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(**kwargs)

    def has_changed(self, initial, data):
        return bool(data)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else [data] if data else []
        cleaned, errors = [], []
        for upload in uploads:
            upload = super().clean(upload, initial)
            try:
                check_evidence_file(upload)
            except ValidationError as error:
                errors.append(error)
            else:
                cleaned.append(upload)
        if errors:
            raise ValidationError(errors)
        return cleaned


ACCEPT = ",".join(f".{extension}" for extension in SIGNATURES)


def links_are_addresses(text: str) -> None:
    check = URLValidator(schemes=["http", "https"])
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                check(line.strip())
            except ValidationError:
                raise ValidationError(
                    _("Line %(number)s is not a web address (http:// or https://): %(line)s"),
                    code="invalid_link",
                    params={"number": number, "line": line.strip()},
                ) from None
