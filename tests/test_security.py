"""An attacker's checklist that the running site survives.

Guessing passwords on either login form ends in a lockout that project staff can lift; every
page carries a Content-Security-Policy that allows no inline script; a client's proxy
headers are believed only behind a proxy the settings name; production settings refuse a
missing or published secret and serve HTTPS only, and `check --deploy` is clean with the
example production environment.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.core.management.utils import get_random_secret_key
from django.test import Client

REPO = Path(__file__).resolve().parents[1]
EXAMPLE_ENVIRONMENT = REPO / ".env.example"
ADMIN_LOGIN = "/admin/login/"
MONITOR_LOGIN = "/monitor/login/"


def sign_in(client, url, username, password, **headers):
    return client.post(url, {"username": username, "password": password}, **headers)


def signed_in_as(client):
    return client.session.get("_auth_user_id")


# --- Guessing passwords ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "person"), [(ADMIN_LOGIN, "project_staff"), (MONITOR_LOGIN, "cso_monitor")]
)
def test_thirty_wrong_passwords_lock_the_account_so_the_right_one_is_refused(
    client, request, url, person
):
    user = request.getfixturevalue(person)
    answers = [sign_in(client, url, user.username, f"guess-{n}").status_code for n in range(30)]

    refused = sign_in(client, url, user.username, "pw")

    assert answers[:4] == [200] * 4  # the form again, saying the password is wrong
    assert set(answers[4:]) == {429}  # the fifth wrong password locks
    assert refused.status_code == 429
    assert refused["Retry-After"] == "1800"
    assert not signed_in_as(client)
    assert "შესვლა დროებით შეჩერებულია" in refused.content.decode()


def test_the_lockout_page_speaks_the_person_s_language_and_says_what_to_do(
    client, cso_monitor, settings
):
    english = {"headers": {"Accept-Language": "en"}}
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, MONITOR_LOGIN, "cso-monitor", f"guess-{n}", **english)

    page = sign_in(client, MONITOR_LOGIN, "cso-monitor", "pw", **english)

    html = page.content.decode()
    assert page.status_code == 429
    assert '<html lang="en">' in html
    assert "<title>Signing in is paused · MUSQAT</title>" in html
    assert '<h1 class="page-title">Signing in is paused</h1>' in html
    assert "After 5 unsuccessful attempts" in html and "paused for 30 minutes" in html
    assert "ask the project team: they can unlock your account at once" in html


def test_the_georgian_lockout_page_is_fully_translated(client, cso_monitor, settings):
    for n in range(settings.AXES_FAILURE_LIMIT + 1):
        page = sign_in(client, MONITOR_LOGIN, "cso-monitor", f"guess-{n}")

    text = re.sub(r"<[^>]+>", " ", page.content.decode().split("<main", 1)[1])
    assert '<html lang="ka">' in page.content.decode()
    assert "5 წარუმატებელი მცდელობის შემდეგ" in text and "30 წუთით შეჩერებულია" in text
    assert "მიმართეთ პროექტის გუნდს" in text
    assert not re.search(r"\b(Sign|Try|After|If you)\b", text)


def test_a_few_typos_then_the_right_password_signs_in_and_starts_the_count_again(
    client, cso_monitor
):
    for n in range(4):
        sign_in(client, MONITOR_LOGIN, "cso-monitor", f"typo-{n}")

    assert sign_in(client, MONITOR_LOGIN, "cso-monitor", "pw").status_code == 302
    assert signed_in_as(client) == str(cso_monitor.pk)
    assert not AccessAttempt.objects.exists()


def test_a_lockout_holds_one_username_at_one_address_only(cso_monitor, project_staff):
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(30):
        sign_in(attacker, ADMIN_LOGIN, "project-staff", f"guess-{n}")

    colleague_at_the_same_address = Client(REMOTE_ADDR="203.0.113.9")
    staff_at_the_office = Client(REMOTE_ADDR="198.51.100.20")

    assert (
        sign_in(colleague_at_the_same_address, MONITOR_LOGIN, "cso-monitor", "pw").status_code
        == 302
    )
    assert sign_in(staff_at_the_office, ADMIN_LOGIN, "project-staff", "pw").status_code == 302
    assert sign_in(attacker, ADMIN_LOGIN, "project-staff", "pw").status_code == 429


def test_it_ignores_a_forwarded_for_header_that_no_proxy_of_ours_wrote(client, cso_monitor):
    for n in range(10):
        sign_in(
            client, MONITOR_LOGIN, "cso-monitor", f"guess-{n}", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}"
        )

    assert sign_in(client, MONITOR_LOGIN, "cso-monitor", "pw").status_code == 429


def test_behind_our_proxy_the_address_the_proxy_appended_is_the_client_s(
    client, cso_monitor, settings
):
    settings.BEHIND_PROXY = True
    for n in range(5):
        # The attacker makes up the first address; the proxy appends the real one.
        sign_in(
            client,
            MONITOR_LOGIN,
            "cso-monitor",
            "guess",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 203.0.113.9",
        )
    someone_else = {"HTTP_X_FORWARDED_FOR": "198.51.100.20"}

    assert AccessAttempt.objects.get().ip_address == "203.0.113.9"
    assert sign_in(client, MONITOR_LOGIN, "cso-monitor", "pw", **someone_else).status_code == 302


def test_project_staff_unlock_a_locked_account_in_the_admin(client, cso_monitor, project_staff):
    for n in range(30):
        sign_in(client, MONITOR_LOGIN, "cso-monitor", f"guess-{n}")
    staff = Client(headers={"Accept-Language": "en"})
    staff.force_login(project_staff)

    listed = staff.get("/admin/axes/accessattempt/")
    attempt = AccessAttempt.objects.get(username="cso-monitor")
    unlocked = staff.post(
        "/admin/axes/accessattempt/",
        {"action": "unlock", "_selected_action": [attempt.pk]},
        follow=True,
    )

    assert listed.status_code == 200
    assert "cso-monitor" in listed.content.decode()
    assert "Failed sign-ins" in listed.content.decode()
    assert "1 lockout lifted" in unlocked.content.decode()
    assert sign_in(client, MONITOR_LOGIN, "cso-monitor", "pw").status_code == 302
    assert signed_in_as(client) == str(cso_monitor.pk)


def test_the_georgian_admin_names_the_sign_in_attempts_in_georgian(
    client, project_staff, cso_monitor
):
    sign_in(Client(), MONITOR_LOGIN, "cso-monitor", "guess")
    client.force_login(project_staff)

    index = client.get("/admin/").content.decode()
    listed = client.get("/admin/axes/accessattempt/").content.decode()

    assert "შესვლის დაცვა" in index and "წარუმატებელი მცდელობები" in index
    assert "განბლოკვა: შესვლის ხელახლა დაშვება" in listed
    for english in ("Attempt Time", "IP Address", "Failed Logins", "Locked Out"):
        assert english not in listed


def test_municipal_staff_cannot_see_or_lift_lockouts(client, telavi_staff):
    client.force_login(telavi_staff)

    assert client.get("/admin/axes/accessattempt/").status_code == 403


def test_the_demo_password_signs_in_on_both_forms(client, cso_monitor, project_staff):
    assert sign_in(client, ADMIN_LOGIN, "project-staff", "pw").status_code == 302
    assert sign_in(Client(), MONITOR_LOGIN, "cso-monitor", "pw").status_code == 302


# --- Content-Security-Policy -----------------------------------------------------------------


def policy(response):
    directives = {}
    for directive in response["Content-Security-Policy"].split(";"):
        name, *sources = directive.split()
        directives[name] = sources
    return directives


@pytest.mark.parametrize("path", ["/ka/", "/en/about/", ADMIN_LOGIN, MONITOR_LOGIN])
def test_every_page_allows_scripts_only_from_the_site_s_own_files(client, db, path):
    rules = policy(client.get(path))

    assert rules["script-src"] == ["'self'"]
    assert rules["default-src"] == ["'self'"]
    assert rules["object-src"] == ["'none'"]
    assert rules["base-uri"] == ["'self'"]
    assert rules["frame-ancestors"] == ["'none'"]
    assert "'unsafe-eval'" not in rules["style-src"]


def test_a_page_from_the_cache_carries_the_policy_too(client, db, django_assert_num_queries):
    client.get("/ka/about/")

    with django_assert_num_queries(0):
        cached = client.get("/ka/about/")

    assert policy(cached)["script-src"] == ["'self'"]


def test_no_template_has_an_inline_script_or_event_handler():
    inline = []
    for template in (REPO / "templates").rglob("*"):
        if template.suffix not in (".html", ".svg", ".txt"):
            continue
        text = template.read_text()
        for pattern in (r"<script(?![^>]*\ssrc=)[^>]*>", r"\son[a-z]+\s*=", r"javascript:"):
            inline += [(template.name, found) for found in re.findall(pattern, text)]
    assert inline == []


# --- Proxy headers and the page cache --------------------------------------------------------


def canonical(response):
    return re.search(r'<link rel="canonical" href="([^"]*)"', response.content.decode()).group(1)


def test_a_client_cannot_claim_https_or_another_host_in_proxy_headers(client, db):
    page = client.get(
        "/ka/about/", HTTP_X_FORWARDED_PROTO="https", HTTP_X_FORWARDED_HOST="localhost"
    )

    assert canonical(page) == "http://testserver/ka/about/"


def test_a_page_asked_for_through_another_allowed_host_is_not_served_for_this_one(client, db):
    client.get("/ka/about/", HTTP_HOST="localhost")

    assert canonical(client.get("/ka/about/")) == "http://testserver/ka/about/"


# --- Production settings (a fresh process each, as production starts) -------------------------


def example_environment(**changes):
    """.env.example with a secret of our own, and nothing of pytest's."""
    environment = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    for line in EXAMPLE_ENVIRONMENT.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, value = line.split("=", 1)
            environment[name] = value
    environment["SECRET_KEY"] = get_random_secret_key()
    environment.update(changes)
    return {name: value for name, value in environment.items() if value is not None}


def django_process(environment, code):
    """Run Python code in a new process with the settings that environment gives."""
    script = "import django, json\ndjango.setup()\nfrom django.conf import settings\n" + code
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env={**environment, "DJANGO_SETTINGS_MODULE": "musqat.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def printed(done):
    """What the code printed last: the site's own log lines go to standard output too."""
    return json.loads(done.stdout.splitlines()[-1])


def test_check_deploy_is_clean_with_the_example_production_environment():
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=example_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


@pytest.mark.parametrize(
    "secret",
    [None, "", "change-me", "local-development-only-not-secret", "django-insecure-abc123"],
)
def test_it_refuses_to_start_without_a_secret_of_its_own(secret):
    done = django_process(example_environment(SECRET_KEY=secret), "print(settings.DEBUG)")

    assert done.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set" in done.stderr


def test_debug_is_off_unless_set():
    environment = example_environment(DEBUG=None)
    code = "print(json.dumps([settings.DEBUG, settings.SECURE_SSL_REDIRECT]))"

    assert printed(django_process(environment, code)) == [False, True]
    developing = django_process(example_environment(DEBUG="1", SECRET_KEY=None), code)
    assert printed(developing) == [True, False]


HTTP_CODE = """
from django.test import Client
# Nothing was collected here; error pages may still name static files.
storage = settings.STORAGES["staticfiles"]
storage["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
site = Client(HTTP_HOST="musqat.example.org")
def seen(response):
    return [response.status_code, response.get("Location"),
            response.get("Strict-Transport-Security")]
print(json.dumps({
    "plain": seen(site.get("/i18n/setlang/")),
    "claims https": seen(site.get("/i18n/setlang/", HTTP_X_FORWARDED_PROTO="https")),
    "claims a host": seen(site.get("/i18n/setlang/", HTTP_X_FORWARDED_HOST="evil.example")),
    "https": seen(site.get("/i18n/setlang/", secure=True)),
}))
"""
HSTS = "max-age=31536000; includeSubDomains; preload"
TO_HTTPS = "https://musqat.example.org/i18n/setlang/"
LOCAL = {"DATABASE_URL": "sqlite:////nonexistent/unused.sqlite3", "CACHE_URL": "locmemcache://"}


def test_production_serves_https_only_and_ignores_proxy_headers_with_no_proxy_named():
    done = django_process(example_environment(MUSQAT_BEHIND_PROXY="0", **LOCAL), HTTP_CODE)
    seen = printed(done)

    assert seen["plain"] == [301, TO_HTTPS, None]
    assert seen["claims https"] == [301, TO_HTTPS, None]
    assert seen["claims a host"] == [301, TO_HTTPS, None]
    assert seen["https"][0] != 301 and seen["https"][2] == HSTS


def test_behind_the_named_proxy_its_headers_are_believed():
    done = django_process(example_environment(MUSQAT_BEHIND_PROXY="1", **LOCAL), HTTP_CODE)
    seen = printed(done)

    assert seen["plain"] == [301, TO_HTTPS, None]
    assert seen["claims https"][0] != 301 and seen["claims https"][2] == HSTS
    assert seen["claims a host"][0] == 400  # a forwarded host must be one of ALLOWED_HOSTS


def test_production_keeps_connections_checks_them_and_takes_a_lost_cache_as_a_miss():
    code = (
        "db = settings.DATABASES['default']; cache = settings.CACHES['default']\n"
        "print(json.dumps([db['CONN_MAX_AGE'], db['CONN_HEALTH_CHECKS'], cache['BACKEND'],"
        " cache['OPTIONS']['socket_timeout'], settings.LOG_FORMAT]))"
    )
    environment = example_environment(CACHE_URL="redis://127.0.0.1:6379/1")

    assert printed(django_process(environment, code)) == [
        60, True, "musqat.redis_cache.ForgivingRedisCache", 1, "json",
    ]  # fmt: skip
