"""The config file: the example loads as shipped, and every mistake names its key."""

from __future__ import annotations

import dataclasses
import logging
import re
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import Config, ConfigError, load_config
from bot.ingest.stories import DEFAULT_THRESHOLD

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "config.example.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_loads_and_shows_every_default() -> None:
    config = load_config(EXAMPLE)

    defaults = Config()
    sections = [f.name for f in dataclasses.fields(Config) if f.name != "feeds"]
    for section in sections:
        assert getattr(config, section) == getattr(defaults, section), section
    assert [feed.name for feed in config.feeds] == ["The Jerusalem Post"]


def test_the_example_mentions_every_key() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    sections = {f.name: f.type for f in dataclasses.fields(Config)}
    for section in sections:
        value = getattr(Config(), section)
        assert f"[{section}]" in text, section
        if isinstance(value, list | dict):
            continue
        for key in dataclasses.fields(value):
            assert re.search(rf"^{key.name} = ", text, re.M), f"{section}.{key.name}"
    for key in ("url", "name", "interval", "full_text"):
        assert re.search(rf"^#? ?{key} ", text, re.M), f"feeds.{key}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[polling]\nintervall = 60\n", "config.toml: polling: unknown key 'intervall'"),
        ('[polling]\ninterval = "10m"\n', "polling: interval: expected int, got '10m'"),
        ("[polling]\ninterval = 0\n", "polling.interval must be positive"),
        ('[[feeds]]\nurl = "ftp://x.org/f"\n', "feeds[0].url: expected an http(s) URL"),
        ("[[feeds]]\nname = 'No URL'\n", "feeds[0]: missing required key 'url'"),
        ('[delivery]\ntimezone = "Mars/Olympus"\n', "delivery.timezone 'Mars/Olympus'"),
        ('[delivery]\nfrequency = "often"\n', "delivery.frequency 'often': 'often' is not a"),
        ('[delivery]\nquiet_hours = "22-31"\n', "delivery.quiet_hours '22-31': '31' is not a time"),
        ('[summary]\nprovider = "openai"\nbase_url = "https://api.x.org/v1"\n', "summary.model"),
        ("[storage\n", "not valid TOML"),
        ("[access]\ncommands_per_minute = -1\n", "access.commands_per_minute must be"),
        (
            '[access]\nchat_feeds = "nobody"\n',
            "access.chat_feeds must be one of 'everyone', 'admins', 'approval', got 'nobody'",
        ),
        ("[access]\nfeeds_per_chat = -1\n", "access.feeds_per_chat must be a number of feeds"),
        ("[access]\nchat_feed_interval = 0\n", "access.chat_feed_interval must be positive"),
        ("[fetch]\nallow_private = 1\n", "fetch: allow_private: expected bool, got 1"),
        ('[fetch]\nallow_hosts = "localhost"\n', "fetch: allow_hosts: expected a list"),
        ("[stories]\nthreshold = 0\n", "stories.threshold must be a similarity above 0"),
        ("[stories]\nthreshold = 1.5\n", "stories.threshold must be a similarity above 0"),
        ('[stories]\nenabled = "yes"\n', "stories: enabled: expected bool, got 'yes'"),
        ('[rules]\nlanguages = ["xx"]\n', "rules.languages: no CLDR names for 'xx'"),
        ('[aliases]\n"Eli Cohen" = "אלי כהן"\n', "aliases.Eli Cohen: expected a list"),
        ('aliases = ["Eli Cohen"]\n', "aliases: expected a table"),
        ('[metrics]\nlisten = "9464"\n', "metrics.listen: expected host:port, such as"),
        ('[metrics]\nlisten = "localhost:http"\n', "metrics.listen: expected host:port"),
        ("[logging]\nsummary_every = 0\n", "logging.summary_every must be positive"),
        ('[translate]\nbackend = "deepl"\n', "translate.backend must be one of 'off', 'libre"),
        ('[translate]\nbackend = "libretranslate"\n', "translate.endpoint: expected an http"),
        ('[translate]\nbackend = "openai"\n', "translate.endpoint (or summary.base_url)"),
        (
            '[translate]\nbackend = "openai"\nendpoint = "http://127.0.0.1:8080/v1"\n',
            "translate.model (or summary.model) is required",
        ),
        ("[translate]\ntimeout = 0\n", "translate.timeout must be positive"),
        (
            '[telegram]\nwebhook_url = "http://bot.example.org/hook"\n',
            "telegram.webhook_url: Telegram sends webhooks over HTTPS only; expected an https:// "
            "URL (e.g. your reverse proxy's), got 'http://bot.example.org/hook'",
        ),
    ],
)
def test_mistakes_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))

    assert message in str(caught.value)


def test_an_https_webhook_url_is_taken(tmp_path: Path) -> None:
    text = '[telegram]\nwebhook_url = "https://bot.example.org/hook"\n'

    assert load_config(write(tmp_path, text)).telegram.webhook_url == "https://bot.example.org/hook"


def test_a_metrics_address_is_read_ipv6_too(tmp_path: Path) -> None:
    metrics = load_config(write(tmp_path, '[metrics]\nlisten = "[::1]:9464"\n')).metrics

    assert metrics.address == ("::1", 9464)


def test_a_missing_file_says_what_to_do(tmp_path: Path) -> None:
    hint = re.escape("no such config file (copy config.example.toml)")
    with pytest.raises(ConfigError, match=hint):
        load_config(tmp_path / "absent.toml")


def test_a_directory_in_place_of_the_file_is_named(tmp_path: Path) -> None:
    """``docker run -v ./config.toml:…`` without that file mounts a new empty directory."""
    (tmp_path / "config.toml").mkdir()

    with pytest.raises(ConfigError, match=r"config\.toml: a directory, not a config file"):
        load_config(tmp_path / "config.toml")


def test_the_token_comes_from_the_environment_first(monkeypatch, tmp_path: Path) -> None:
    config = load_config(write(tmp_path, '[telegram]\ntoken = "from-file"\n'))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "from-env")
    assert config.bot_token() == "from-env"
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN")
    assert config.bot_token() == "from-file"
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN"):
        Config().bot_token()


def test_the_stories_threshold_defaults_to_the_clusterer_s() -> None:
    assert Config().stories.threshold == DEFAULT_THRESHOLD


def test_aliases_and_languages_are_read(tmp_path: Path) -> None:
    text = '[rules]\nlanguages = ["en", "he"]\n[aliases]\n"Eli Cohen" = ["אלי כהן", "Эли Коэн"]\n'

    config = load_config(write(tmp_path, text))

    assert config.rules.languages == ["en", "he"]
    assert config.aliases == {"Eli Cohen": ["אלי כהן", "Эли Коэн"]}


def test_environment_variables_override_the_file(monkeypatch, tmp_path: Path) -> None:
    path = write(tmp_path, "[polling]\ninterval = 900\ntimeout = 5.0\n[access]\nadmins = [1]\n")
    variables = {
        "TOPIC_ALERT__ACCESS__ADMINS": "[123456789, 42]",
        "TOPIC_ALERT__TELEGRAM__WEBHOOK_LISTEN": "0.0.0.0",
        "TOPIC_ALERT__TELEGRAM__WEBHOOK_SECRET": "12345",
        "TOPIC_ALERT__POLLING__INTERVAL": "300",
        "TOPIC_ALERT__STORIES__ENABLED": "false",
        "TOPIC_ALERT__FEEDS": '[{url = "https://news.example.org/rss", name = "News"}]',
        "TOPIC_ALERT__ALIASES": '{"Eli Cohen" = ["אלי כהן"]}',
    }
    for name, value in variables.items():
        monkeypatch.setenv(name, value)

    config = load_config(path)

    assert config.access.admins == [123456789, 42]
    assert config.telegram.webhook_listen == "0.0.0.0"
    assert config.telegram.webhook_secret == "12345"
    assert (config.polling.interval, config.polling.timeout) == (300, 5.0)
    assert config.stories.enabled is False
    assert [(feed.url, feed.name) for feed in config.feeds] == [
        ("https://news.example.org/rss", "News")
    ]
    assert config.aliases == {"Eli Cohen": ["אלי כהן"]}


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TOPIC_ALERT__TELEGRAM__WEBHOOK_LISTENING", "0.0.0.0", "unknown key 'webhook_listening'"),
        ("TOPIC_ALERT__TELEGRAMM__WEBHOOK_LISTEN", "0.0.0.0", "unknown key 'telegramm'"),
        ("TOPIC_ALERT__POLLING__INTERVAL", "10m", "expected int, got '10m'"),
        ("TOPIC_ALERT__ACCESS__ADMINS", "123", "expected a list, got 123"),
        ("TOPIC_ALERT__FEEDS__URL", "https://x.org/rss", "set TOPIC_ALERT__FEEDS"),
    ],
)
def test_a_wrong_variable_is_named(monkeypatch, name: str, value: str, message: str) -> None:
    monkeypatch.setenv(name, value)

    with pytest.raises(ConfigError) as caught:
        load_config(None)

    assert str(caught.value).startswith(f"{name}: ")
    assert message in str(caught.value)


def test_a_value_checked_after_merging_names_both_sources(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TOPIC_ALERT__POLLING__INTERVAL", "0")

    with pytest.raises(ConfigError, match=r"and TOPIC_ALERT__\* variables: polling.interval"):
        load_config(write(tmp_path, "[polling]\ntimeout = 5\n"))


def test_without_a_file_the_environment_is_the_whole_config(
    monkeypatch, tmp_path: Path, capsys, caplog
) -> None:
    """A container: no config file, every setting from -e/--env-file."""
    monkeypatch.setenv("TOPIC_ALERT__STORAGE__PATH", str(tmp_path / "bot.db"))
    monkeypatch.setenv("TOPIC_ALERT__FEEDS", '[{url = "https://news.example.org/rss"}]')
    absent = tmp_path / "config.toml"

    caplog.set_level(logging.INFO, logger="bot.config")

    assert main(["feeds", "--config", str(absent)]) == 0

    assert "https://news.example.org/rss" in capsys.readouterr().out
    assert f"no config file at {absent}: configured by TOPIC_ALERT__* variables only" in (
        caplog.messages
    )
