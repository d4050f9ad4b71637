"""The admin's HTML as the W3C checker and screen readers want it, where Django's falls short.

A required autocomplete box (a foreign key in ``autocomplete_fields``) with nothing chosen
yet is rendered by Django as a ``<select required>`` without any option: Select2 fills it
as the user types. HTML requires a required select to begin with an empty placeholder
option, whether something is chosen or not, and screen readers announce an option-less
list as empty; an option may not be empty either, so the placeholder reads "---------" as
in Django's other lists (Django's own empty option of an optional box included).
``ready()`` in ``musqat.apps`` gives the widgets that placeholder; Select2 shows it as the
empty box it already was.
"""

from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.widgets import AdminSplitDateTime, AutocompleteMixin
from django.db.models.fields import BLANK_CHOICE_DASH
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext

_django_optgroups = AutocompleteMixin.optgroups


def _optgroups(self, name, value, attr=None):
    groups = _django_optgroups(self, name, value, attr)
    if self.allow_multiple_selected:
        return groups
    options = groups[0][1]
    if not options or options[0]["value"] != "":
        options.insert(0, self.create_option(name, "", "", False, 0))
    options[0]["label"] = BLANK_CHOICE_DASH[0][1]
    return groups


def placeholder_in_required_autocompletes():
    AutocompleteMixin.optgroups = _optgroups


_django_split_context = AdminSplitDateTime.get_context


def _split_context(self, name, value, attrs):
    context = _django_split_context(self, name, value, attrs)
    boxes = context["widget"]["subwidgets"]
    for key, subwidget in zip(("date_label", "time_label"), boxes, strict=True):
        if subwidget["attrs"].get("id"):
            context[key] = format_html(
                '<label for="{}">{}</label>', subwidget["attrs"]["id"], context[key]
            )
    return context


def labelled_date_and_time_boxes():
    """A date-and-time field's "Date:" and "Time:" as the labels of its two boxes: Django
    writes them as plain text beside the boxes, which screen readers then announce
    without a name (the field's own label names the group of both)."""
    AdminSplitDateTime.get_context = _split_context


def _boolean_icon(field_val):
    """Django's yes/no/unknown icon, its text in the reader's language ("True" was read
    out on Georgian pages)."""
    name, text = {True: ("yes", "Yes"), False: ("no", "No"), None: ("unknown", "Unknown")}[
        field_val
    ]
    return format_html(
        '<img src="{}" alt="{}">', static(f"admin/img/icon-{name}.svg"), gettext(text)
    )


def yes_no_icons_in_words():
    admin_list._boolean_icon = _boolean_icon
