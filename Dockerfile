# One image for web (gunicorn), worker and beat; configured entirely by environment variables.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 DJANGO_SETTINGS_MODULE=config.settings

# Compiled translations (.mo) are committed, so gettext is not needed in the image.
RUN useradd --system --create-home --uid 10001 fastlege

WORKDIR /app
COPY requirements.txt constraints.txt ./
RUN pip install -r requirements.txt -c constraints.txt

COPY . .
# collectstatic needs settings but no database or secrets of the deployment.
RUN DEBUG=false SECRET_KEY=build-only-secret-key-not-used-at-run-time-0123456789abcdef \
    python manage.py collectstatic --noinput

USER fastlege
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
