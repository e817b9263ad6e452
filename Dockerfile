# The production-shaped image: web (gunicorn), worker and beat share it.
FROM node:20-bookworm-slim AS contracts
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-fund --no-audit --loglevel=error

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production
WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
COPY --from=contracts /app/node_modules/@foundry-rs /app/node_modules/@foundry-rs
# The same script a test runs (tests/test_production.py), so the build's collectstatic is tested without Docker.
RUN bin/collectstatic \
    && useradd --system --home /app app && mkdir -p /app/var && chown app /app/var
USER app
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "30"]
