# syntax=docker/dockerfile:1
# Walker's one image: every role (web, websocket, worker per queue, beat, migrate) is a command of bin/walker.
# The test suite lints this file (tests/deploy, checkov); it is never built there, as the machine that runs the
# suite cannot pull or build images. Build and run: docs/deploy.md.

# --- build: the virtualenv, bytecode and static files --------------------------------------------------------
FROM python:3.11.7-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /app
COPY requirements.txt ./
# Every requirement ships a wheel for this platform (psycopg's binary build included): no compiler is needed. pip
# and setuptools leave the virtualenv once it is filled.
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install -r requirements.txt \
    && /opt/venv/bin/python -m pip uninstall --yes pip setuptools
COPY . ./
# Static files as production serves them (hashed names, compressed, WhiteNoise's manifest), which needs DEBUG=0;
# DEBUG=0 refuses to start without these variables, and collectstatic connects to none of them.
ENV DEBUG=0 \
    SECRET_KEY=build-only-collectstatic \
    ALLOWED_HOSTS=build.invalid \
    PUBLIC_BASE_URL=https://build.invalid \
    DATABASE_URL=postgres://build.invalid/build \
    REDIS_URL=redis://build.invalid:6379/0 \
    ENCRYPTION_KEYS=build-only \
    PII_HASH_KEY=build-only \
    JWT_SIGNING_KEY=build-only
# The root file system is read-only at run time: Python's bytecode is written here, once, checked by nothing but
# its presence (the copy to the final stage may change the sources' timestamps).
RUN PATH=/opt/venv/bin:$PATH bin/walker collectstatic --verbosity 0 \
    && /opt/venv/bin/python -m compileall -q --invalidation-mode unchecked-hash /app /opt/venv

# --- run: the virtualenv and the application, owned by root, run as an unprivileged user ------------------
FROM python:3.11.7-slim-bookworm
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=config.settings \
    DEBUG=0 \
    PORT=8000 \
    HOME=/tmp
# No package tools in the final image: the base image's own pip and setuptools go too.
RUN python -m pip uninstall --yes --quiet pip setuptools wheel \
    && groupadd --system --gid 10001 walker \
    && useradd --system --uid 10001 --gid walker --home-dir /tmp --no-create-home --shell /usr/sbin/nologin walker
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=20s --start-period=30s --retries=3 CMD ["/app/bin/healthcheck"]
ENTRYPOINT ["/app/bin/walker"]
CMD ["web"]
