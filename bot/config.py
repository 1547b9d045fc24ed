"""The one TOML configuration file, validated at start-up.

Every section is a frozen dataclass; the loader checks keys and types against the dataclass
fields, so a typo in the file stops the program with the key's name instead of being ignored.
Secrets (the bot token, a model API key) may come from the environment instead of the file,
and so may any key: ``TOPIC_ALERT__SECTION__KEY=value`` overrides the file (a container is
configured that way, without a file of its own).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import tomllib
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.i18n import LANGUAGES
from bot.places import DEFAULT_LANGUAGES, is_language
from bot.schedule import ScheduleError, parse_frequency, stored_quiet
from bot.sources import TELEGRAM_PREVIEW, PageSelectors, Source, source_of
from bot.timezones import is_timezone

logger = logging.getLogger(__name__)

TOKEN_ENV = "TELEGRAM_BOT_TOKEN"
ENV_PREFIX = "TOPIC_ALERT__"
"""``TOPIC_ALERT__TELEGRAM__WEBHOOK_LISTEN=0.0.0.0`` is ``[telegram] webhook_listen``;
``TOPIC_ALERT__FEEDS='[{url = "https://…"}]'`` is the whole ``feeds`` list."""


class ConfigError(ValueError):
    """The configuration file cannot be used; the message names the key and what is expected."""


@dataclass(frozen=True)
class StorageConfig:
    path: str = "topic-alert.db"
    retention_days: int = 30
    memory_mb: int = 0
    """Resident memory above which caches are shed (``bot.runtime.MemoryCeiling``); 0: none."""


@dataclass(frozen=True)
class PollingConfig:
    interval: int = 600
    max_concurrency: int = 20
    per_host: int = 2
    timeout: float = 20.0
    max_bytes: int = 10_000_000
    max_age_hours: int = 48
    full_text_threshold: int = 300
    parse_workers: int = 0
    """Processes that parse feeds beside the event loop; 0: one per core; -1: none."""


@dataclass(frozen=True)
class FetchConfig:
    allow_private: bool = False
    """Fetch from loopback, private, link-local and other internal addresses too."""
    allow_hosts: list[str] = field(default_factory=list)
    """Host names (or IP addresses as written in URLs) fetched whatever they resolve to."""


@dataclass(frozen=True)
class FeedSpec:
    url: str
    """A feed, a t.me channel address (read through its preview), or a page with ``items``."""
    name: str | None = None
    interval: int | None = None
    full_text: bool = False
    items: str | None = None
    """A CSS selector for the page's articles: the page has no feed (bot/sources.py)."""
    item_title: str | None = None
    item_link: str | None = None
    item_date: str | None = None

    @property
    def selectors(self) -> PageSelectors | None:
        if self.items is None:
            return None
        return PageSelectors(self.items, self.item_title, self.item_link, self.item_date)

    @property
    def source(self) -> Source:
        """What the entry names: a feed, a channel or a page (``bot.sources.source_of``)."""
        return source_of(self.url, self.selectors)


@dataclass(frozen=True)
class TelegramConfig:
    token: str = ""
    base_url: str = "https://api.telegram.org/bot"
    webhook_url: str = ""
    webhook_secret: str = ""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443


@dataclass(frozen=True)
class MetricsConfig:
    listen: str = ""
    """"host:port" of the /healthz and /metrics HTTP server; "" for none."""

    @property
    def address(self) -> tuple[str, int]:
        """``listen`` as (host, port); an IPv6 host is written in brackets ("[::1]:9464")."""
        host, _, port = self.listen.rpartition(":")
        return host.strip("[]"), int(port)


@dataclass(frozen=True)
class LoggingConfig:
    summary_every: int = 60
    """Seconds covered by each summary line of what the bot did (none when nothing happened)."""


@dataclass(frozen=True)
class AccessConfig:
    admins: list[int] = field(default_factory=list)
    allowed_users: list[int] = field(default_factory=list)
    commands_per_minute: int = 20
    """Commands one person may send in a minute before the bot asks them to slow down; 0: any."""
    chat_feeds: str = "everyone"
    """Who may bring a chat its own feeds (/addfeed, an OPML document): one of
    :data:`CHAT_FEEDS`."""
    feeds_per_chat: int = 20
    """Feeds of its own one chat may have."""
    chat_feed_interval: int = 900
    """Seconds between two polls of a chat's own feed, at least (when ``[polling] interval``
    is shorter): a stranger's feed costs the bot's fetches."""


@dataclass(frozen=True)
class AlertsConfig:
    """When the operators (``access.admins``) are told in Telegram that something needs them."""

    feed_failing_after: int = 86_400
    """Seconds a feed's polls must have failed in a row before they are told."""
    backlog_after: int = 900
    """Seconds an alert due to be sent may wait before they are told that delivery is behind."""
    rate_limited_after: int = 10
    """429 answers from Telegram within 10 minutes that make them be told."""


@dataclass(frozen=True)
class DeliveryConfig:
    timezone: str = "UTC"
    language: str = "en"
    """The language of chats that chose none with /language and whose Telegram app gives none
    the bot speaks (bot.i18n.LANGUAGES)."""
    summary_chars: int = 400
    digest_threshold: int = 10
    frequency: str = "realtime"
    """How often a new topic is delivered unless /subscribe says (bot/schedule.py)."""
    quiet_hours: str = ""
    """Quiet hours of a chat that set none with /quiet, e.g. '22:00-07:00'; '' for none."""


@dataclass(frozen=True)
class SubscriptionsConfig:
    max_per_chat: int = 50


@dataclass(frozen=True)
class SummaryConfig:
    provider: str = "extractive"
    base_url: str = ""
    model: str = ""
    api_key_env: str = "OPENAI_API_KEY"
    timeout: float = 10.0
    hourly_budget: int = 60


@dataclass(frozen=True)
class TranslateConfig:
    """Alerts for articles in another language than the chat's, translated (``bot.translation``)."""

    backend: str = "off"
    """"off", "libretranslate" (a LibreTranslate-compatible server) or "openai" (a model behind
    an OpenAI-compatible chat completions API)."""
    endpoint: str = ""
    """The translator's base URL; for "openai", "" takes ``[summary] base_url``."""
    model: str = ""
    """For "openai": the model name; "" takes ``[summary] model``."""
    api_key_env: str = "TRANSLATE_API_KEY"
    """The environment variable holding the translator's key (none sent when it is unset)."""
    timeout: float = 3.0
    """Seconds an alert waits for its translation before it goes out untranslated."""
    hourly_chars: int = 100_000
    """Characters sent to the translator in any hour; past it, alerts go untranslated."""
    by_default: bool = True
    """Whether a chat that never used /translate gets translations."""

    @property
    def enabled(self) -> bool:
        return self.backend != "off"


@dataclass(frozen=True)
class StoriesConfig:
    enabled: bool = True
    """False: every matching article alerts on its own, copies included."""
    threshold: float = 0.25
    """Least similarity of title and lead for two articles to be compared as possible copies
    (``bot.ingest.stories.DEFAULT_THRESHOLD``)."""
    embeddings_base_url: str = ""
    """An OpenAI-compatible API whose ``/embeddings`` decides the pairs the lexical check is
    unsure of (``bot.ingest.semantic``); empty: none, and no article text leaves the machine."""
    embeddings_model: str = ""
    embeddings_api_key_env: str = "OPENAI_API_KEY"
    embeddings_timeout: float = 5.0
    embeddings_threshold: float = 0.85
    """Least cosine similarity of two articles' embeddings for one story."""


@dataclass(frozen=True)
class SurgesConfig:
    """When a topic with /surge on surges (``bot.ingest.surges``)."""

    factor: float = 3.0
    """Stories in the last hour, as a multiple of the topic's hourly average over the week
    before, that make a surge."""
    min_stories: int = 5
    """Stories in the last hour a surge needs at least, however quiet the topic was."""
    cooldown_hours: float = 6.0
    """Hours after a surge before the same topic may surge again."""


@dataclass(frozen=True)
class RulesConfig:
    languages: list[str] = field(default_factory=lambda: list(DEFAULT_LANGUAGES))
    """Languages whose CLDR country names a term naming a country also matches (bot.places);
    an empty list turns place aliases off."""


@dataclass(frozen=True)
class SourcesConfig:
    """Where articles come from besides RSS and Atom: channels' previews, and a news search
    for each topic."""

    telegram_preview: str = TELEGRAM_PREVIEW
    """Where channels' web previews are read: channel NAME at this address + NAME."""

    news_search: bool = False
    """Give each active topic whose rule can be written as a search query a feed of that
    search (``bot.news_search``); off unless the operator opts in, as it asks a third party."""
    search_url: str = (
        "https://news.google.com/rss/search?q={query}&hl={language}&gl={region}"
        "&ceid={region}:{language}"
    )
    """The search's RSS address; ``{query}`` (URL-encoded), ``{language}``, ``{region}``."""
    search_language: str = ""
    """The language searched and place names are written in; '' for each chat's language."""
    search_region: str = ""
    """The edition's region (``US``); '' for the language's most likely region in CLDR."""
    search_interval: int = 3600
    """Seconds between polls of one search feed."""
    max_search_feeds: int = 200
    """Search feeds in all; a topic past it still alerts from the other feeds."""
    max_search_feeds_per_chat: int = 10
    """Search feeds one chat's topics may use, so one chat cannot take them all."""


@dataclass(frozen=True)
class Config:
    storage: StorageConfig = field(default_factory=StorageConfig)
    polling: PollingConfig = field(default_factory=PollingConfig)
    fetch: FetchConfig = field(default_factory=FetchConfig)
    feeds: list[FeedSpec] = field(default_factory=list)
    sources: SourcesConfig = field(default_factory=SourcesConfig)
    telegram: TelegramConfig = field(default_factory=TelegramConfig)
    metrics: MetricsConfig = field(default_factory=MetricsConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)
    access: AccessConfig = field(default_factory=AccessConfig)
    alerts: AlertsConfig = field(default_factory=AlertsConfig)
    delivery: DeliveryConfig = field(default_factory=DeliveryConfig)
    subscriptions: SubscriptionsConfig = field(default_factory=SubscriptionsConfig)
    summary: SummaryConfig = field(default_factory=SummaryConfig)
    translate: TranslateConfig = field(default_factory=TranslateConfig)
    stories: StoriesConfig = field(default_factory=StoriesConfig)
    surges: SurgesConfig = field(default_factory=SurgesConfig)
    rules: RulesConfig = field(default_factory=RulesConfig)
    aliases: dict[str, list[str]] = field(default_factory=dict)
    """``"Eli Cohen" = ["אלי כהן", "Эли Коэн"]``: other names a term matches in every rule."""

    def bot_token(self) -> str:
        """The token from the environment, else from the file; an actionable error if neither."""
        token = os.environ.get(TOKEN_ENV, "").strip() or self.telegram.token.strip()
        if not token:
            raise ConfigError(
                f"no Telegram bot token: set the {TOKEN_ENV} environment variable "
                "(or [telegram] token in the config file) to the token @BotFather gave you"
            )
        return token


def load_config(path: str | Path | None) -> Config:
    """Read and validate the TOML file with the ``TOPIC_ALERT__…`` environment variables over
    it; ``None`` gives the defaults (no feeds) under the same variables.

    A missing file is an error, unless such variables are set: then they are the whole
    configuration (a container's ``-e``/``--env-file``), and a line at INFO says so.
    """
    overrides = environment_overrides(os.environ)
    data: dict[str, Any] = {}
    where = "defaults"
    if path is not None:
        where = str(path)
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            if not overrides:
                raise ConfigError(
                    f"{path}: no such config file (copy config.example.toml), and no "
                    f"{ENV_PREFIX}SECTION__KEY environment variables to use instead"
                ) from None
            logger.info("no config file at %s: configured by %s* variables only", path, ENV_PREFIX)
        except IsADirectoryError:
            raise ConfigError(
                f"{path}: a directory, not a config file (Docker makes one where the host "
                "file of a bind mount is missing)"
            ) from None
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read the config file: {exc.strerror}") from None
        except UnicodeDecodeError as exc:
            raise ConfigError(
                f"{path}: not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset "
                f"{exc.start}); save the config file as UTF-8"
            ) from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    for name, (keys, value) in overrides.items():
        _set(data, keys, value, name)
    if overrides:
        where += f" and {ENV_PREFIX}* variables"
    config = parse_config(data, where=where)
    _warn_about_fast_polling(config)
    return config


def environment_overrides(
    environ: Mapping[str, str],
) -> dict[str, tuple[list[str], Any]]:
    """The ``TOPIC_ALERT__SECTION__KEY`` variables, by name: the key path they set and the
    value, read as a TOML value when it is one (``20``, ``true``, ``[1, 2]``,
    ``{url = "…"}``), else as the string it is (``0.0.0.0``, ``Europe/Berlin``); a key that
    takes a string gets the text as written (``webhook_secret=12345``).

    A name that is no key, or a value of the wrong type, is a ConfigError naming the variable,
    as the same mistake in the file names the key.
    """
    found = {}
    for name in sorted(environ):
        if not name.startswith(ENV_PREFIX):
            continue
        keys = name[len(ENV_PREFIX) :].lower().split("__")
        hint = _hint_at(keys, name)
        text = environ[name]
        value = _toml_value(text)
        if hint is str and not isinstance(value, str):
            value = text  # a secret or a name that happens to read as a number: as written
        _convert(hint, value, name)  # the type error names the variable, not the file
        found[name] = (keys, value)
    return found


def _hint_at(keys: list[str], name: str) -> Any:
    """The type of the Config key that ``keys`` lead to, or a ConfigError naming ``name``."""
    hint: Any = Config
    for depth, key in enumerate(keys):
        if not (isinstance(hint, type) and dataclasses.is_dataclass(hint)):
            whole = f"{ENV_PREFIX}{'__'.join(keys[:depth]).upper()}"
            raise ConfigError(f"{name}: {keys[depth - 1]} takes a whole TOML value; set {whole}")
        known = {f.name for f in dataclasses.fields(hint)}
        if key not in known:
            raise ConfigError(
                f"{name}: unknown key {key!r}; known keys here: {', '.join(sorted(known))}"
            )
        hint = typing.get_type_hints(hint)[key]
    return hint


def _toml_value(text: str) -> Any:
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        return text


def _set(data: dict[str, Any], keys: list[str], value: Any, name: str) -> None:
    """``data[keys[0]][keys[1]]… = value`` (variable ``name``), making the tables on the way."""
    *sections, last = keys
    for key in sections:
        table = data.setdefault(key, {})
        if not isinstance(table, dict):
            raise ConfigError(f"{name}: the config file's {key!r} is not a table: {table!r}")
        data = table
    data[last] = value


def parse_config(data: dict[str, Any], *, where: str = "config") -> Config:
    """Build a Config from already-parsed TOML, checking every key and value."""
    config = _build(Config, data, where)
    _check_values(config, where)
    return config


def _build(cls: type, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a table, got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(
            f"{where}: unknown key {unknown[0]!r}; known keys here: {', '.join(sorted(known))}"
        )
    values = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ConfigError(f"{where}: missing required key {f.name!r}")
            continue
        values[f.name] = _convert(hints[f.name], data[f.name], f"{where}: {f.name}")
    return cls(**values)


def _convert(hint: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return _convert(options[0], value, where)
    if origin is dict:
        key_hint, item = typing.get_args(hint)
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a table, got {value!r}")
        return {
            _convert(key_hint, k, where): _convert(item, v, f"{where}.{k}")
            for k, v in value.items()
        }
    if origin is list:
        (item,) = typing.get_args(hint)
        if not isinstance(value, list):
            raise ConfigError(f"{where}: expected a list, got {value!r}")
        return [_convert(item, v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _build(hint, value, where)
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if (hint is int and isinstance(value, bool)) or not isinstance(value, hint):
        raise ConfigError(f"{where}: expected {hint.__name__}, got {value!r}")
    return value


CHAT_FEEDS = ("everyone", "admins", "approval")
"""``[access] chat_feeds``: any chat (in groups their administrators), only the operators, or
any chat once an operator approved the request."""


def _check_values(config: Config, where: str) -> None:
    for name, value in (
        ("storage.retention_days", config.storage.retention_days),
        ("polling.interval", config.polling.interval),
        ("polling.max_concurrency", config.polling.max_concurrency),
        ("polling.per_host", config.polling.per_host),
        ("polling.max_bytes", config.polling.max_bytes),
        ("polling.timeout", config.polling.timeout),
        ("subscriptions.max_per_chat", config.subscriptions.max_per_chat),
        ("access.chat_feed_interval", config.access.chat_feed_interval),
        ("delivery.summary_chars", config.delivery.summary_chars),
        ("alerts.feed_failing_after", config.alerts.feed_failing_after),
        ("alerts.backlog_after", config.alerts.backlog_after),
        ("alerts.rate_limited_after", config.alerts.rate_limited_after),
        ("logging.summary_every", config.logging.summary_every),
        ("surges.min_stories", config.surges.min_stories),
        ("sources.search_interval", config.sources.search_interval),
        ("sources.max_search_feeds", config.sources.max_search_feeds),
        ("sources.max_search_feeds_per_chat", config.sources.max_search_feeds_per_chat),
    ):
        if value <= 0:
            raise ConfigError(f"{where}: {name} must be positive, got {value!r}")
    if config.storage.memory_mb < 0:
        raise ConfigError(
            f"{where}: storage.memory_mb must be a number of megabytes, or 0 for no ceiling, "
            f"got {config.storage.memory_mb!r}"
        )
    if config.access.commands_per_minute < 0:
        raise ConfigError(
            f"{where}: access.commands_per_minute must be a number of commands, or 0 for no "
            f"limit, got {config.access.commands_per_minute!r}"
        )
    if config.access.chat_feeds not in CHAT_FEEDS:
        raise ConfigError(
            f"{where}: access.chat_feeds must be one of {', '.join(map(repr, CHAT_FEEDS))}, "
            f"got {config.access.chat_feeds!r}"
        )
    if config.access.feeds_per_chat < 0:
        raise ConfigError(
            f"{where}: access.feeds_per_chat must be a number of feeds, or 0 for none, "
            f"got {config.access.feeds_per_chat!r}"
        )
    if config.polling.parse_workers < -1:
        raise ConfigError(
            f"{where}: polling.parse_workers must be a number of processes, 0 (one per core) "
            f"or -1 (parse in the bot's own process), got {config.polling.parse_workers!r}"
        )
    for language in config.rules.languages:
        if not is_language(language):
            raise ConfigError(f"{where}: rules.languages: no CLDR names for {language!r}")
    for i, feed in enumerate(config.feeds):
        _check_url(feed.url, f"{where}: feeds[{i}].url")
        if feed.interval is not None and feed.interval <= 0:
            raise ConfigError(f"{where}: feeds[{i}].interval must be positive")
        _check_selectors(feed, f"{where}: feeds[{i}]")
    _check_url(config.sources.telegram_preview, f"{where}: sources.telegram_preview")
    _check_url(config.telegram.base_url, f"{where}: telegram.base_url")
    _check_search_url(config.sources.search_url, f"{where}: sources.search_url")
    if config.telegram.webhook_url:
        _check_webhook_url(config.telegram.webhook_url, f"{where}: telegram.webhook_url")
    if config.metrics.listen:
        _check_listen(config.metrics.listen, f"{where}: metrics.listen")
    if not is_timezone(config.delivery.timezone):
        raise ConfigError(
            f"{where}: delivery.timezone {config.delivery.timezone!r} is not a time zone; "
            "use an IANA name such as 'Europe/Berlin' or 'UTC'"
        )
    if config.delivery.language not in LANGUAGES:
        raise ConfigError(
            f"{where}: delivery.language {config.delivery.language!r} is not one the bot speaks; "
            f"use one of {', '.join(LANGUAGES)}"
        )
    schedules: list[tuple[str, str, Callable[[str], object]]] = [
        ("delivery.frequency", config.delivery.frequency, parse_frequency),
        ("delivery.quiet_hours", config.delivery.quiet_hours, stored_quiet),
    ]
    for key, text, parse in schedules:
        try:
            parse(text)
        except ScheduleError as exc:
            raise ConfigError(f"{where}: {key} {text!r}: {exc}") from None
    if config.surges.factor < 1:
        raise ConfigError(
            f"{where}: surges.factor must be at least 1 (a surge is above the usual rate), "
            f"got {config.surges.factor!r}"
        )
    if config.surges.cooldown_hours < 0:
        raise ConfigError(
            f"{where}: surges.cooldown_hours must be a number of hours, or 0 for none, "
            f"got {config.surges.cooldown_hours!r}"
        )
    if not 0 < config.stories.threshold <= 1:
        raise ConfigError(
            f"{where}: stories.threshold must be a similarity above 0 and at most 1, "
            f"got {config.stories.threshold!r}"
        )
    if config.stories.embeddings_base_url:
        _check_embeddings(config.stories, where)
    if config.summary.provider not in ("extractive", "openai"):
        raise ConfigError(
            f"{where}: summary.provider must be 'extractive' or 'openai', "
            f"got {config.summary.provider!r}"
        )
    if config.summary.provider == "openai":
        _check_url(config.summary.base_url, f"{where}: summary.base_url")
        if not config.summary.model:
            raise ConfigError(f"{where}: summary.model is required when provider = 'openai'")
    _check_translate(config, where)


def _check_translate(config: Config, where: str) -> None:
    """A translator that is on must be reachable: its URL (and for a model, its name), from
    ``[translate]`` or, for "openai", from ``[summary]``."""
    translate = config.translate
    backends = ("off", "libretranslate", "openai")
    if translate.backend not in backends:
        raise ConfigError(
            f"{where}: translate.backend must be one of {', '.join(map(repr, backends))}, "
            f"got {translate.backend!r}"
        )
    for name, value in (
        ("translate.timeout", translate.timeout),
        ("translate.hourly_chars", translate.hourly_chars),
    ):
        if value <= 0:
            raise ConfigError(f"{where}: {name} must be positive, got {value!r}")
    if translate.backend == "libretranslate":
        _check_url(translate.endpoint, f"{where}: translate.endpoint")
    elif translate.backend == "openai":
        _check_url(
            translate.endpoint or config.summary.base_url,
            f"{where}: translate.endpoint (or summary.base_url)",
        )
        if not (translate.model or config.summary.model):
            raise ConfigError(
                f"{where}: translate.model (or summary.model) is required when backend = 'openai'"
            )


def _check_embeddings(stories: StoriesConfig, where: str) -> None:
    _check_url(stories.embeddings_base_url, f"{where}: stories.embeddings_base_url")
    if not stories.embeddings_model:
        raise ConfigError(
            f"{where}: stories.embeddings_model is required when embeddings_base_url is set"
        )
    if not -1 <= stories.embeddings_threshold <= 1:
        raise ConfigError(
            f"{where}: stories.embeddings_threshold must be a cosine similarity from -1 to 1, "
            f"got {stories.embeddings_threshold!r}"
        )
    if stories.embeddings_timeout <= 0:
        raise ConfigError(
            f"{where}: stories.embeddings_timeout must be seconds above 0, "
            f"got {stories.embeddings_timeout!r}"
        )


def _check_url(url: str, where: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{where}: expected an http(s) URL, got {url!r}")


def _check_selectors(feed: FeedSpec, where: str) -> None:
    """A page's selectors must read as CSS, and the item ones need ``items``."""
    if feed.items is None:
        stray = [key for key in ("item_title", "item_link", "item_date") if getattr(feed, key)]
        if stray:
            raise ConfigError(f"{where}: {stray[0]} needs items, the selector of the articles")
        return
    unreadable = feed.selectors.unreadable() if feed.selectors else None
    if unreadable:
        raise ConfigError(f"{where}: not a CSS selector: {unreadable}")


def _check_search_url(template: str, where: str) -> None:
    """A search address must say where the query goes, and name no other placeholder."""
    if "{query}" not in template:
        raise ConfigError(f"{where}: {template!r} has no {{query}} placeholder for the search")
    try:
        url = template.format(query="q", language="en", region="US")
    except (KeyError, IndexError, ValueError) as exc:
        raise ConfigError(
            f"{where}: {template!r}: only {{query}}, {{language}} and {{region}} may be used "
            f"({exc})"
        ) from None
    _check_url(url, where)


def _check_webhook_url(url: str, where: str) -> None:
    """Telegram posts updates to https:// webhooks only: setWebhook refuses any other, and the
    bot would start and then never hear a word."""
    _check_url(url, where)
    if urlsplit(url).scheme != "https":
        raise ConfigError(
            f"{where}: Telegram sends webhooks over HTTPS only; expected an https:// URL "
            f"(e.g. your reverse proxy's), got {url!r}"
        )


def _check_listen(listen: str, where: str) -> None:
    host, colon, port = listen.rpartition(":")
    if not (colon and host and port.isdigit() and 0 < int(port) < 65536):
        raise ConfigError(
            f"{where}: expected host:port, such as '127.0.0.1:9464' (or '' for no server), "
            f"got {listen!r}"
        )


def _warn_about_fast_polling(config: Config) -> None:
    intervals = [config.polling.interval] + [f.interval for f in config.feeds if f.interval]
    if min(intervals) < 60:
        logger.warning(
            "a polling interval under 60 s is meant for local feeds and tests; "
            "public servers may block a client that polls this often"
        )
