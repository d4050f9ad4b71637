"""The shared infrastructure in musqat/ that any app uses without importing another app:
a PDF laid out with the bundled fonts and stored whole, an e-mail in the reader's
language sent once, and a private file that no public address serves."""

import subprocess

import pytest
from django.core import mail as outbox
from django.core.files.base import ContentFile
from django.utils.translation import gettext, override

from musqat import mail, pdf
from musqat.models import NotificationSettings, SentNotification
from musqat.storage import private_storage
from tests import factories


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_any_app_lays_out_a_georgian_pdf_and_stores_it_whole(media):
    with override("ka"):
        content, pages = pdf.render_html("pdf/base.html", {})

    assert content.startswith(b"%PDF") and pages == 1
    name = pdf.store("pdf/grants/call-2027-ka.pdf", content)
    path = media / name
    assert path.read_bytes() == content
    assert not list(path.parent.glob("*.part"))  # no half-written file left beside it
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True)
    if fonts.returncode == 0:  # poppler is there in CI; elsewhere the bytes suffice
        assert "NotoSansGeorgian" in fonts.stdout.replace("-", "")


@pytest.mark.django_db
def test_an_email_goes_out_once_in_the_reader_s_language():
    reader = factories.user("anna", email="anna@example.ge")
    NotificationSettings.objects.create(user=reader, language="en")

    def send():
        return mail.send_once(
            key="grants:call-opened:7",
            user=reader,
            subject=lambda: gettext("Published: %(assessment)s") % {"assessment": "the call"},
            template="assessments/email/notification.txt",
            context={"event": "published", "assessment": "the call", "comments": [], "url": "/"},
        )

    assert send() is True
    assert send() is False  # a retried task reaches nobody twice
    assert len(outbox.outbox) == 1
    assert outbox.outbox[0].subject == "Published: the call"
    assert SentNotification.objects.filter(key=f"grants:call-opened:7:{reader.pk}").exists()


def test_a_private_file_has_no_public_address(settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path / "private"
    storage = private_storage()
    name = storage.save("grants/budget.xlsx", ContentFile(b"PK\x03\x04 budget"))

    assert (tmp_path / "private" / name).read_bytes() == b"PK\x03\x04 budget"
    assert not str(tmp_path / "private").startswith(str(settings.MEDIA_ROOT))
    with pytest.raises(ValueError, match="no public address"):
        storage.url(name)


@pytest.mark.django_db
def test_a_required_autocomplete_box_with_nothing_chosen_begins_with_a_placeholder():
    from django.contrib.admin import site
    from django.contrib.admin.widgets import AutocompleteSelect

    from assessments.models import Cycle

    field = Cycle._meta.get_field("methodology")
    form_field = field.formfield()
    widget = AutocompleteSelect(field, site, choices=form_field.choices)
    widget.is_required = True

    empty = widget.render("methodology", None)
    assert '<option value="">---------</option>' in empty
    assert empty.count("<option") == 1


@pytest.mark.django_db
def test_an_autocomplete_box_begins_with_a_placeholder_that_is_not_empty():
    from django.contrib.admin import site
    from django.contrib.admin.widgets import AutocompleteSelect

    from assessments.models import Cycle

    methodology = factories.methodology()
    field = Cycle._meta.get_field("methodology")
    widget = AutocompleteSelect(field, site, choices=field.formfield().choices)

    # A required box with something chosen: the placeholder still comes first (HTML).
    widget.is_required = True
    chosen = widget.render("methodology", methodology.pk)
    assert chosen.index('<option value="">---------</option>') < chosen.index(
        f'<option value="{methodology.pk}" selected>'
    )
    # An optional box: Django's own empty option, no longer empty, and only once.
    widget.is_required = False
    optional = widget.render("methodology", None)
    assert optional.count('<option value="">---------</option>') == 1
    assert optional.count("<option") == 1


@pytest.mark.django_db
def test_a_date_and_time_field_labels_its_two_boxes(admin_client, django_user_model):
    user = django_user_model.objects.create_user("someone", password="a long secret 123")

    page = admin_client.get(f"/admin/auth/user/{user.pk}/change/").content.decode()

    assert '<label for="id_date_joined_0">' in page
    assert '<label for="id_date_joined_1">' in page


@pytest.mark.django_db
def test_the_user_form_s_password_summary_is_valid_html(admin_client, django_user_model):
    user = django_user_model.objects.create_user("someone", password="a long secret 123")

    page = admin_client.get(f"/admin/auth/user/{user.pk}/change/").content.decode()

    summary = page.split('id="id_password"', 1)
    assert len(summary) == 2  # the summary is there
    assert "disabled" not in summary[0].rsplit("<div", 1)[1] + summary[1].split(">", 1)[0]
