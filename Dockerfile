# syntax=docker/dockerfile:1
# InnerTalk: `innertalk bot` in a slim image, as a non-root user, data in the /app/data volume.
#
#   docker build -t innertalk .
#   docker run --init --env-file .env -v innertalk-data:/app/data -p 127.0.0.1:8080:8080 innertalk
#
# Run it with `--init` (Compose: `init: true`): a tiny init as PID 1 forwards signals and reaps
# zombies. The program itself handles SIGTERM: it finishes the reply in progress and stores every
# queued write before it exits, so give it time (`docker stop -t 40`, `stop_grace_period: 40s`).

# The interpreter the test suite runs on; `--build-arg PYTHON_VERSION=3.12` builds on a newer one.
ARG PYTHON_VERSION=3.11

# --- builder: build the wheel and install it with its dependencies into /opt/venv -------------
# Everything comes from hash-pinned locks: requirements.lock (what the tests ran) for the
# application, requirements-build.lock for the build backend; pip refuses any file whose hash
# is not in them.
FROM python:${PYTHON_VERSION}-slim AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /build
# README.md is the package's long description: hatchling needs it to build the wheel.
COPY requirements.lock requirements-build.lock pyproject.toml README.md ./
COPY src ./src
RUN python -m venv /build/backend \
    && /build/backend/bin/pip install --no-cache-dir --require-hashes -r requirements-build.lock \
    && /build/backend/bin/pip wheel --no-cache-dir --no-deps --no-build-isolation \
       --wheel-dir /build/dist . \
    && python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir --require-hashes -r requirements.lock \
    && /opt/venv/bin/pip install --no-cache-dir --no-deps /build/dist/*.whl

# --- runtime: the interpreter, the virtual environment, nothing else ---------------------------
FROM python:${PYTHON_VERSION}-slim AS runtime

LABEL org.opencontainers.image.title="InnerTalk" \
      org.opencontainers.image.description="A self-hostable AI companion for inner dialogue on Telegram." \
      org.opencontainers.image.licenses="MIT"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    MPLCONFIGDIR=/tmp/matplotlib \
    DATABASE_URL=sqlite:////app/data/innertalk.db \
    HTTP_HOST=0.0.0.0 \
    HTTP_PORT=8080 \
    LOG_FORMAT=json

RUN groupadd --system --gid 10001 innertalk \
    && useradd --system --uid 10001 --gid 10001 --create-home --home-dir /home/innertalk \
       --shell /usr/sbin/nologin innertalk

COPY --from=builder /opt/venv /opt/venv

WORKDIR /app
# Created here (owned by the user) so a new named volume mounted on it inherits the ownership.
RUN mkdir -p /app/data && chown -R 10001:10001 /app

USER 10001:10001

VOLUME ["/app/data"]
EXPOSE 8080

# Liveness: /healthz answers 200 while the process serves requests (slim images have no curl).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('HTTP_PORT', '8080'), timeout=4)"]

ENTRYPOINT ["innertalk"]
CMD ["bot"]
