"""The config file: the example loads as shipped, and every mistake names its key."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

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
    sections = ("storage", "polling", "telegram", "access", "delivery", "subscriptions", "stories")
    for section in sections:
        assert getattr(config, section) == getattr(defaults, section), section
    assert config.summary == defaults.summary
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
        ('[delivery]\nquiet_hours = "22-7"\n', "delivery.quiet_hours '22-7': '22' is not a time"),
        ('[summary]\nprovider = "openai"\nbase_url = "https://api.x.org/v1"\n', "summary.model"),
        ("[storage\n", "not valid TOML"),
        ("[access]\ncommands_per_minute = -1\n", "access.commands_per_minute must be"),
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
