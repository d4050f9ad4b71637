"""The admin, one module per group of models; importing them registers them."""

from . import assessments, cycles, files, groups, plans, results

__all__ = ["assessments", "cycles", "files", "groups", "plans", "results"]
