# Production image for Hongshu: web (gunicorn, the default command), Celery worker and beat all run it
# (see docker-compose.yml). Static files are collected at build time and served by WhiteNoise.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VAR_DIR=/app/var \
    BIND=0.0.0.0:8000

WORKDIR /app
RUN groupadd --system --gid 1000 hongshu \
    && useradd --system --uid 1000 --gid hongshu --home-dir /app --shell /usr/sbin/nologin hongshu

# Dependencies first (the project itself installs no modules: the code runs from /app), so this layer is
# rebuilt only when pyproject.toml changes.
COPY pyproject.toml ./
RUN pip install . && rm -rf build ./*.egg-info

COPY . .
# collectstatic needs settings, not services: the URLs below are parsed, never connected to.
RUN DEBUG=0 SECRET_KEY=collectstatic-at-build-time-only-not-a-real-secret \
        DATABASE_URL=postgres://build@127.0.0.1:5432/build REDIS_URL=redis://127.0.0.1:6379/0 \
        python manage.py collectstatic --noinput -v 0 \
    && mkdir -p /app/var/media \
    && chown -R hongshu:hongshu /app/var

USER hongshu
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "-c", "config/gunicorn.py"]
