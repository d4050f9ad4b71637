"""A call's applications, reviews and awards as one XLSX (to come in this change)."""
