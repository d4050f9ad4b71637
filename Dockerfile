# MUSQAT's image: the site, its Celery workers and beat (docker-compose.yml runs them all).
FROM python:3.11-slim-bookworm
# PostgreSQL's client tools come from PostgreSQL's own repository, at the major version of
# the compose file's server (16): `manage.py backup` needs a pg_dump no older than the
# server, and `restore` a pg_restore no newer. Change both together.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext fonts-noto-core libpango-1.0-0 \
       libpangoft2-1.0-0 libharfbuzz-subset0 ca-certificates postgresql-common \
    && /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y \
    && apt-get install -y --no-install-recommends postgresql-client-16 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .
COPY . .
# The translations are compiled into the image; static files are collected by the
# one-shot "migrate" service into the volume the web containers serve them from.
RUN DEBUG=1 python manage.py compilemessages -v 0
ENV STATIC_ROOT=/app/staticfiles MEDIA_ROOT=/app/media PRIVATE_ROOT=/app/private
# The processes run as an unprivileged user, owning only what they write.
RUN useradd --system --uid 10001 musqat \
    && mkdir -p /app/staticfiles /app/media /app/private \
    && chown musqat /app/staticfiles /app/media /app/private
USER musqat
EXPOSE 8000
