"""Settings come from the environment; a bad value fails loudly."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from musqat.settings import envbool, envint, envlist

REPO = Path(__file__).resolve().parent.parent


def test_a_boolean_accepts_the_usual_spellings(monkeypatch):
    for spelling, expected in [("1", True), ("yes", True), ("off", False), ("0", False)]:
        monkeypatch.setenv("MUSQAT_FLAG", spelling)
        assert envbool("MUSQAT_FLAG", "0") is expected


def test_it_rejects_a_boolean_it_cannot_read(monkeypatch):
    monkeypatch.setenv("MUSQAT_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="MUSQAT_FLAG"):
        envbool("MUSQAT_FLAG", "0")


def test_it_rejects_a_number_it_cannot_read(monkeypatch):
    monkeypatch.setenv("MUSQAT_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="MUSQAT_NUMBER"):
        envint("MUSQAT_NUMBER", "1")


def test_the_defaults_apply_when_nothing_is_set(monkeypatch):
    monkeypatch.delenv("MUSQAT_HOSTS", raising=False)
    assert envlist("MUSQAT_HOSTS", "a, b,") == ["a", "b"]
    assert envint("MUSQAT_NUMBER_UNSET", "7") == 7


def test_the_site_is_georgian_first(settings):
    assert settings.LANGUAGE_CODE == "ka"
    assert [code for code, _ in settings.LANGUAGES] == ["ka", "en"]


def test_georgian_dates_are_day_month_year_with_24_hour_time():
    import datetime

    from django.utils.formats import date_format
    from django.utils.translation import override

    moment = datetime.datetime(2021, 3, 9, 17, 5)
    with override("ka"):
        assert date_format(moment, "SHORT_DATE_FORMAT") == "09.03.2021"
        assert date_format(moment, "TIME_FORMAT") == "17:05"


def test_make_run_s_broker_is_a_folder_the_site_and_its_worker_share(tmp_path):
    """`make run` sets CELERY_BROKER_URL=filesystem://localhost//: a queued task is a file in the
    broker folder, for the worker beside the site to take; nothing runs in process."""
    folder = tmp_path / "broker"
    script = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from musqat.celery import app\n"
        "assert not settings.CELERY_TASK_ALWAYS_EAGER\n"
        "app.send_task('assessments.tasks.sweep_pdfs')\n"
    )
    environment = {
        **os.environ,
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "musqat.settings",
        "CELERY_BROKER_URL": "filesystem://localhost//",
        "MUSQAT_BROKER_FOLDER": str(folder),
        "PYTHONPATH": str(REPO),  # started elsewhere, as `make run` may be
    }
    environment.pop("PYTEST_VERSION", None)  # the site's settings, not the tests'
    subprocess.run(
        [sys.executable, "-c", script], env=environment, cwd=tmp_path, check=True, timeout=120
    )
    queued = list((folder / "queue").iterdir())
    assert len(queued) == 1
    assert b"assessments.tasks.sweep_pdfs" in queued[0].read_bytes()
    assert (folder / "processed").is_dir()
    # The transport's own files stay in the broker folder, not where the site was started.
    assert list(folder.glob("control/*.exchange"))
    assert not (tmp_path / "control").exists()
