"""The admin's HTML as the W3C checker and screen readers want it, where Django's falls short.

A required autocomplete box (a foreign key in ``autocomplete_fields``) with nothing chosen
yet is rendered by Django as a ``<select required>`` without any option: Select2 fills it
as the user types. HTML requires such a select to begin with an empty placeholder option,
and screen readers announce an option-less list as empty. ``ready()`` in ``musqat.apps``
gives the widgets that placeholder; Select2 shows it as the empty box it already was.
"""

from django.contrib.admin.widgets import AutocompleteMixin

_django_optgroups = AutocompleteMixin.optgroups


def _optgroups(self, name, value, attr=None):
    groups = _django_optgroups(self, name, value, attr)
    options = groups[0][1]
    if self.is_required and not self.allow_multiple_selected and not options:
        options.append(self.create_option(name, "", "", False, 0))
    return groups


def placeholder_in_required_autocompletes():
    AutocompleteMixin.optgroups = _optgroups


def _boolean_icon(field_val):
    """Django's yes/no/unknown icon, its text in the reader's language ("True" was read
    out on Georgian pages)."""
    from django.templatetags.static import static
    from django.utils.html import format_html
    from django.utils.translation import gettext

    name, text = {True: ("yes", "Yes"), False: ("no", "No"), None: ("unknown", "Unknown")}[
        field_val
    ]
    return format_html(
        '<img src="{}" alt="{}">', static(f"admin/img/icon-{name}.svg"), gettext(text)
    )


def yes_no_icons_in_words():
    from django.contrib.admin.templatetags import admin_list

    admin_list._boolean_icon = _boolean_icon
