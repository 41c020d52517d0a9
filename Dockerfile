# One image for every qpmusic process: web (gunicorn), worker and beat (Celery), migrate (one-shot).
# Build and run with `docker compose up` (see docker-compose.yml).

# Front-end libraries from the npm registry (package-lock.json), as `make vendor` does locally.
FROM node:20-slim AS vendor
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund \
    && mkdir -p vendor/accessible-autocomplete \
    && cp node_modules/accessible-autocomplete/dist/accessible-autocomplete.min.js \
          node_modules/accessible-autocomplete/dist/accessible-autocomplete.min.css \
          node_modules/accessible-autocomplete/LICENSE.txt vendor/accessible-autocomplete/ \
    && mkdir -p vendor/tus-js-client vendor/wavesurfer.js \
    && cp node_modules/tus-js-client/dist/tus.min.js node_modules/tus-js-client/LICENSE \
          vendor/tus-js-client/ \
    && cp node_modules/wavesurfer.js/dist/wavesurfer.min.js node_modules/wavesurfer.js/LICENSE \
          vendor/wavesurfer.js/

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

# ffmpeg: poster frames and metadata-free blind copies of videos (without it, a video stays
# closed to blind jurors and the office sees why). Pango and fonts: WeasyPrint lays out the jury
# protocol PDF with them, and embeds DejaVu (every letter of de/fr/lb) in it.
RUN apt-get update \
    && apt-get install --no-install-recommends -y ffmpeg libpango-1.0-0 libpangoft2-1.0-0 \
       fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# The processes run as an unprivileged user; the code stays owned by root and read-only to it.
RUN groupadd --system --gid 10001 qpmusic \
    && useradd --system --uid 10001 --gid qpmusic --home-dir /srv/qpmusic --no-create-home \
       --shell /usr/sbin/nologin qpmusic

# create_app() finds templates/ and migrations/ next to the qpmusic/ package (ROOT = the parent of
# the package directory), so the source tree is kept whole here and installed in editable mode.
WORKDIR /srv/qpmusic/app

# Dependencies first, in their own layer, so a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN python -c "import tomllib; deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; open('/tmp/requirements.txt', 'w').write('\n'.join(deps))" \
    && pip install --no-cache-dir -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
COPY --from=vendor /build/vendor qpmusic/static/vendor
RUN pip install --no-cache-dir -e . \
    && pybabel compile -d qpmusic/translations \
    && mkdir -p /srv/qpmusic/instance /srv/qpmusic/media \
    && chown qpmusic:qpmusic /srv/qpmusic/instance /srv/qpmusic/media

# Defaults matching docker-compose.yml; the media folder is a named volume shared by web and worker,
# and an empty named volume takes this folder's ownership when first mounted.
ENV QPMUSIC_INSTANCE_PATH=/srv/qpmusic/instance \
    QPMUSIC_MEDIA_ROOT=/srv/qpmusic/media

USER qpmusic

EXPOSE 8000

CMD ["gunicorn", "--config", "python:qpmusic.gunicorn_conf", "qpmusic:create_app()"]
