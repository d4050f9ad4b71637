"""/healthz: whether the site can serve, for load balancers, Docker and monitoring.

200 when the database and the broker answer, 503 naming what is down. Without a broker
(the embedded default, tasks run in process) there is nothing to reach, and it says so.
The answer is never cached and reads nothing else, so it stays cheap.
"""

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .celery import QUEUE_ERRORS, app

BROKER_TIMEOUT = 2  # seconds: a health check must answer before its prober gives up


def database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return "down"
    return "ok"


def broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "not used"  # tasks run in the web process
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT)
    except QUEUE_ERRORS:
        return "down"
    return "ok"


@never_cache
@require_GET
def healthz(request):
    checks = {"database": database(), "broker": broker()}
    down = sorted(name for name, state in checks.items() if state == "down")
    return JsonResponse(
        {"status": "down" if down else "ok", "down": down, "checks": checks},
        status=503 if down else 200,
    )


class HealthzMiddleware:
    """Answers /healthz before anything checks the host: a load balancer or Docker asks
    by the server's address, which is rarely one of ALLOWED_HOSTS. No other path is
    touched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz":
            return healthz(request)
        return self.get_response(request)
