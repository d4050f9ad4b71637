"""Uploaded files checked by their content, not their name: shared by evidence files,
grant attachments and reports."""

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

# What a file must start with, by extension. Office files are ZIP
# (OOXML, OpenDocument) or OLE2 (older Word/Excel/PowerPoint) containers.
ZIP = (b"PK\x03\x04",)
OLE2 = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
SIGNATURES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "webp": (b"RIFF",),
    "docx": ZIP,
    "xlsx": ZIP,
    "pptx": ZIP,
    "odt": ZIP,
    "ods": ZIP,
    "odp": ZIP,
    "doc": OLE2,
    "xls": OLE2,
    "ppt": OLE2,
}


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def content_matches(upload, extension: str) -> bool:
    """Whether the file's first bytes are what a file of this extension starts with."""
    signatures = SIGNATURES.get(extension)
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if signatures is None or not head.startswith(signatures):
        return False
    return extension != "webp" or head[8:12] == b"WEBP"


def check_name_and_size(upload, *, name_limit: int, max_bytes: int, too_big) -> None:
    """Refuse a file whose name is too long to keep, or that is bigger than `max_bytes`;
    `too_big` says so in the caller's words (with %(name)s, %(size)s and %(limit)s)."""
    name = upload.name
    if len(name) > name_limit:
        raise ValidationError(
            _(
                "The name of “%(name)s” is %(length)s characters long; a file name may be "
                "%(limit)s characters at most. Rename the file and choose it again."
            ),
            code="file_name_too_long",
            params={"name": Truncator(name).chars(60), "length": len(name), "limit": name_limit},
        )
    if upload.size > max_bytes:
        raise ValidationError(
            too_big,
            code="file_too_big",
            params={
                "name": name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(max_bytes),
            },
        )
