# topic-alert in a container. The database and config.toml live in the /data volume:
#
#   docker build -t topic-alert .
#   docker run -d --name topic-alert --restart unless-stopped \
#       -e TELEGRAM_BOT_TOKEN=123456:ABC... -v topic-alert-data:/data topic-alert
#
# Put config.toml into the volume first (with [storage] path = "/data/topic-alert.db"); the
# token comes from the environment so it never sits in the image or the config file.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/topic-alert
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY rules ./rules
RUN /opt/topic-alert/bin/pip install .

FROM python:3.11-slim
ENV PATH=/opt/topic-alert/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
RUN useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin \
        topic-alert \
    && install -d -o topic-alert -g topic-alert -m 0700 /data
COPY --from=build /opt/topic-alert /opt/topic-alert
USER topic-alert
WORKDIR /data
VOLUME /data
CMD ["topic-alert", "run", "--config", "/data/config.toml"]
