FROM python:3.11-slim-bookworm
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext fonts-noto-core libpango-1.0-0 \
       libpangoft2-1.0-0 libharfbuzz-subset0 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir . gunicorn
COPY . .
ENV STATIC_ROOT=/app/staticfiles MEDIA_ROOT=/app/media
EXPOSE 8000
