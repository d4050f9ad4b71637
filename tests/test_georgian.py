"""Georgian has no capital letters: nothing on the site or in the admin may uppercase it."""

import pytest
from django.template import Context, Template
from django.utils.text import capfirst
from django.utils.translation import override

from musqat.georgian import has_mtavruli


def test_capfirst_leaves_georgian_alone_and_still_capitalises_english():
    assert capfirst("მუნიციპალიტეტი") == "მუნიციპალიტეტი"
    assert capfirst("municipality") == "Municipality"


def test_the_template_filters_never_make_mtavruli():
    template = Template(
        "{{ ka|capfirst }}|{{ ka|upper }}|{{ ka|title }}|{{ en|upper }}|{{ en|title }}"
    )
    out = template.render(Context({"ka": "თელავის მუნიციპალიტეტი", "en": "telavi town"}))
    name = "თელავის მუნიციპალიტეტი"
    assert out.split("|") == [name, name, name, "TELAVI TOWN", "Telavi Town"]


def test_a_form_label_made_from_a_georgian_verbose_name_stays_lowercase():
    from django.db import models

    assert models.CharField(verbose_name="დასახელება").formfield().label == "დასახელება"


def test_it_detects_mtavruli():
    assert has_mtavruli("Ა")
    assert not has_mtavruli("ა")


@pytest.fixture
def georgian_admin(client, project_staff, telavi, methodology, cycle_2021):
    client.force_login(project_staff)
    client.cookies["django_language"] = "ka"
    return client


@pytest.mark.parametrize(
    "page",
    [
        "/admin/",
        "/admin/indicators/methodologyversion/",
        "/admin/indicators/thematicarea/",
        "/admin/indicators/indicator/add/",
        "/admin/municipalities/municipality/",
        "/admin/assessments/assessment/add/",
    ],
)
def test_the_georgian_admin_shows_no_uppercased_georgian(georgian_admin, page):
    with override("ka"):
        response = georgian_admin.get(page)
    assert response.status_code == 200
    text = response.content.decode()
    assert 'lang="ka"' in text
    assert not has_mtavruli(text)


def test_the_admin_styles_undo_every_uppercase_rule(georgian_admin, settings):
    text = georgian_admin.get("/admin/").content.decode()
    assert "css/admin.css" in text
    stylesheet = (settings.BASE_DIR / "static/css/admin.css").read_text()
    assert "body *" in stylesheet and "text-transform: none !important" in stylesheet


def test_the_admin_s_autocomplete_boxes_speak_georgian_on_georgian_pages():
    from django.contrib.admin import site
    from django.contrib.admin.widgets import AutocompleteSelect
    from django.contrib.auth.models import User

    field = User._meta.get_field("groups")
    with override("ka"):
        widget = AutocompleteSelect(field, site)
        attrs = widget.build_attrs({})
        media = str(widget.media)

    assert attrs["lang"] == "ka"
    assert "select2/i18n/ka.js" in media


@pytest.mark.django_db
def test_the_admin_counts_in_georgian_grammar_and_names_its_icons(admin_client):
    from tests import factories

    factories.municipality("telavi", "Telavi", "თელავი")
    factories.municipality("kvareli", "Kvareli", "ყვარელი")
    admin_client.cookies["django_language"] = "ka"

    page = admin_client.get("/admin/municipalities/municipality/").content.decode()
    paginator = page.split('<p class="paginator">', 1)[1].split("</p>", 1)[0]

    assert "2 მუნიციპალიტეტი" in " ".join(paginator.split())
    assert "მუნიციპალიტეტები" not in paginator
    assert 'alt="Search"' not in page
    assert 'alt="ძიება"' in page


def test_the_yes_and_no_icons_say_yes_and_no_in_the_reader_s_language():
    from django.contrib.admin.templatetags.admin_list import _boolean_icon

    with override("en"):
        assert 'alt="Yes"' in _boolean_icon(True)
        assert 'alt="No"' in _boolean_icon(False)
    with override("ka"):
        assert 'alt="True"' not in _boolean_icon(True)


def test_every_field_of_the_project_s_models_has_a_translated_name():
    """A field without a verbose name shows Django's English guess ("changed by") in the
    admin's forms, filters and history, on Georgian pages too."""
    from django.apps import apps
    from django.utils.functional import Promise

    untranslated = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model._meta.app_label
        in ("assessments", "grants", "municipalities", "indicators", "musqat")
        and not model.__name__.startswith("Historical")
        for field in model._meta.get_fields()
        if hasattr(field, "verbose_name")
        and not field.auto_created
        and not isinstance(field.verbose_name, Promise)
    ]
    assert untranslated == []
