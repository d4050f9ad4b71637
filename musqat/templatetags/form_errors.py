"""The summary at the top of a refused form: what needs attention, each field a link to it.

`{% error_summary form formset … refusal=error %}` in the workspaces (Bootstrap),
`{% admin_error_summary adminform inline_admin_formsets %}` in the admin. Both take forms,
formsets, the admin's wrappers of them and lists of these; the view's refusal, if any, heads
the summary, or stands alone when no field is in error; nothing is shown when nothing was
refused.
static/js/error-summary.js moves the focus to the summary, and from its links to the fields.

A form may name where an error of one of its fields is shown, with `error_target(name)`
(an element's id, or None for the field's own), and how it is called there, with
`error_label(name)`, when its label alone is not enough (the same label on every row); both
are also asked for "__all__", an error of the whole form, which is otherwise not linked. A
formset's rows are called by its `error_item` ("Budget line 2: Amount"), or "Row 2".
"""

from django import template
from django.contrib.admin import helpers
from django.forms import BaseForm
from django.forms.formsets import BaseFormSet
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


def _forms(items):
    """(form, how its rows are called or None), for each form of these forms, formsets,
    admin wrappers and lists, with the formsets' own errors as (formset, None) first."""
    for item in items:
        if item is None or item == "":
            continue
        if isinstance(item, list | tuple):
            yield from _forms(item)
        elif isinstance(item, helpers.InlineAdminFormSet):
            yield from _rows(item.formset, item.opts.verbose_name)
        elif isinstance(item, helpers.AdminForm):
            yield item.form, None
        elif isinstance(item, BaseFormSet):
            yield from _rows(item, getattr(item, "error_item", None))
        elif isinstance(item, BaseForm):
            yield item, None
        else:  # a group of forms that validate together (one per finding)
            yield from _forms(list(item))


def _rows(formset, name):
    yield formset, None
    for number, form in enumerate(formset.forms, start=1):
        yield form, (name, number)


def _target(form, name) -> str:
    own = getattr(form, "error_target", None)
    if own is not None and (target := own(name)):
        return target
    field = form[name]
    if field.is_hidden:
        return ""
    # Radio buttons and widgets of several inputs have no id of their own: the first input's.
    return field.id_for_label or (f"{field.auto_id}_0" if field.auto_id else "")


def _label(form, name, row) -> str:
    own = getattr(form, "error_label", None)
    label = capfirst((own and own(name)) or form[name].label or name)
    if row is None:
        return str(label)
    item, number = row
    if item:
        return _("%(item)s %(number)s: %(label)s") % {
            "item": capfirst(item),
            "number": number,
            "label": label,
        }
    return _("Row %(number)s: %(label)s") % {"number": number, "label": label}


def error_items(*items) -> list[dict]:
    """What needs attention, in the page's order: {"target": the id to link to, or "" for
    an error of the whole form, "label", "errors": [text, …]}."""
    found = []
    for form, row in _forms(items):
        if hasattr(form, "non_form_errors"):
            if form.non_form_errors():
                found.append({"target": "", "label": "", "errors": list(form.non_form_errors())})
            continue
        if not form.is_bound or not form.errors:
            continue
        for name, errors in form.errors.items():
            if name == "__all__" or name not in form.fields:
                # An error of the whole form: linked and named only where the form says.
                target = getattr(form, "error_target", None)
                label = getattr(form, "error_label", None)
                found.append(
                    {
                        "target": (target and target("__all__")) or "",
                        "label": (label and label("__all__")) or "",
                        "errors": list(errors),
                    }
                )
            else:
                found.append(
                    {
                        "target": _target(form, name),
                        "label": _label(form, name, row),
                        "errors": list(errors),
                    }
                )
    return found


def _context(items, refusal, notes):
    found = error_items(*items)
    fields = sum(1 for item in found if item["target"] or item["label"])
    if refusal:
        title = refusal
    elif fields:
        title = ngettext(
            "Nothing was saved: %(count)s field needs attention",
            "Nothing was saved: %(count)s fields need attention",
            fields,
        ) % {"count": fields}
    else:
        title = _("Nothing was saved: the form needs attention")
    return {"items": found, "heading": title, "refusal": refusal, "notes": notes or []}


@register.inclusion_tag("includes/error_summary.html")
def error_summary(*items, refusal="", notes=None):
    """The summary of what these forms refused, headed by the view's refusal when it gives
    one; a refusal with no field in error (a closed call, a locked report) alone; notes
    (files to choose again) below."""
    return _context(items, refusal, notes)


@register.inclusion_tag("admin/includes/error_summary.html")
def admin_error_summary(*items, refusal="", notes=None):
    return _context(items, refusal, notes)
