# topic-alert in a container; the README's "Docker" section has the whole recipe.
#
#   docker build -t topic-alert .
#   docker run -d --name topic-alert --restart unless-stopped --env-file topic-alert.env \
#       -v topic-alert-data:/data -p 127.0.0.1:9464:9464 topic-alert
#
# Configuration comes from TOPIC_ALERT__SECTION__KEY variables (config.example.toml, first
# lines) or a config file bind-mounted at /etc/topic-alert/config.toml, or both (the variables
# win); the token from TELEGRAM_BOT_TOKEN, so it is never in the image. The database lives in
# the /data volume. compose.yaml does the same with `docker compose up -d`.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/topic-alert
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY rules ./rules
RUN /opt/topic-alert/bin/pip install .

FROM python:3.11-slim
# The listeners bind every interface of the container, so that published ports reach them:
# 8443 the webhook (only with [telegram] webhook_url), 9464 /healthz and /metrics.
ENV PATH=/opt/topic-alert/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    TOPIC_ALERT__STORAGE__PATH=/data/topic-alert.db \
    TOPIC_ALERT__TELEGRAM__WEBHOOK_LISTEN=0.0.0.0 \
    TOPIC_ALERT__METRICS__LISTEN=0.0.0.0:9464
RUN useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin \
        topic-alert \
    && install -d -o topic-alert -g topic-alert -m 0700 /data
COPY --from=build /opt/topic-alert /opt/topic-alert
COPY deploy/docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
WORKDIR /data
VOLUME /data
EXPOSE 8443 9464
# 200 from /healthz only while the store is writable, Telegram was reached lately and the
# scheduler runs; urllib because the slim image has no curl. Polling every feed and reaching
# Telegram can take a while after a start, hence the start period.
HEALTHCHECK --interval=30s --timeout=10s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9464/healthz', timeout=8)"]
# No USER: the entrypoint starts as root only to make /data the user's (a volume may come
# root-owned), then drops to user 10001 before the bot starts.
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["topic-alert", "run", "--config", "/etc/topic-alert/config.toml"]
