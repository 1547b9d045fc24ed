"""What a short command loads: ``topic-alert feeds`` and ``--help`` start without the libraries
that only polling, checking and the bot need.

The real command runs under the interpreter's own import log (``python -X importtime``); only
which modules it imported is asserted, never how long that took (the figures are in
docs/benchmarks.md, "Start-up").
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.parser import COMMANDS, load_command

POLLING_ONLY = {
    "trafilatura",  # full text of teasers
    "justext",
    "courlan",
    "datasketch",  # story grouping, and through it SciPy
    "scipy",
    "feedparser",  # parsing, the parse pool
    "httpx",  # fetching
    "httpcore",
    "telegram",  # the bot
    "tornado",
    "apscheduler",  # the daemon's schedule
    "prometheus_client",
    "tqdm",  # poll-once's and doctor's progress bar
}
"""Top-level packages that ``feeds`` has no use for."""


def imported(*args: str) -> tuple[str, set[str]]:
    """``python -m bot ARGS``'s stdout and every module it imported (once it exited 0)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bot", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    log = [line for line in done.stderr.splitlines() if line.startswith("import time:")]
    modules = {line.rsplit("|", 1)[1].strip() for line in log[1:]}  # [0] is the header
    return done.stdout, modules


def packages(modules: set[str]) -> set[str]:
    return {module.split(".")[0] for module in modules}


def test_feeds_lists_the_feeds_without_loading_what_polling_needs(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[storage]\npath = "{tmp_path / "bot.db"}"\n'
        '[[feeds]]\nurl = "https://news.example/rss"\nname = "Example news"\n',
        encoding="utf-8",
    )

    out, modules = imported("feeds", "--config", str(config))

    assert "Example news" in out and "never polled" in out
    assert packages(modules) & POLLING_ONLY == set()
    assert "bot.ingest" not in modules and "bot.doctor" not in modules


def test_help_loads_neither_the_config_nor_the_store() -> None:
    out, modules = imported("--help")

    assert "feeds" in out and "poll-once" in out
    assert packages(modules) & (POLLING_ONLY | {"sqlite_utils", "rules"}) == set()
    assert "bot.config" not in modules and "bot.store" not in modules


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_names_a_function_that_exists(name: str) -> None:
    assert callable(load_command(name))
