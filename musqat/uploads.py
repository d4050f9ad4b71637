"""Uploaded files checked by their content, not their name: shared by evidence files,
grant attachments and reports."""

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
