"""The call as a PDF in each language (to come in this change)."""
