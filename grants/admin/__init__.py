"""The grant competition in the admin, for project staff only, one module per group of
models; importing them registers them."""

from . import applications, calls, files, reports

__all__ = ["applications", "calls", "files", "reports"]
