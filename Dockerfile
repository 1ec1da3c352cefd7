# The same app as `make run`, for docker compose and production: gunicorn behind a TLS proxy.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext postgresql-client \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 pms && mkdir -p /app/backups /app/media
WORKDIR /app

COPY pyproject.toml ./
COPY . .
RUN pip install . \
    && DJANGO_DEBUG=true SECRET_KEY=build-only PMS_ENCRYPTION_KEYS=build:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= \
       PMS_BLIND_INDEX_KEY=build PMS_TESTING=false python manage.py compilemessages -v 0 \
    && DJANGO_DEBUG=true SECRET_KEY=build-only PMS_ENCRYPTION_KEYS=build:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= \
       PMS_BLIND_INDEX_KEY=build python manage.py collectstatic --no-input -v 0 \
    && chown -R pms:pms /app
USER pms
EXPOSE 8000
CMD ["gunicorn", "pms.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
