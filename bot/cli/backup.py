"""``topic-alert backup``: copy the database with SQLite's online backup (README, "Backups")."""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path

from bot.cli.database import database
from bot.cli.errors import CliError
from bot.config import load_config


def backup(args: argparse.Namespace) -> int:
    """Copy the database with SQLite's online backup; see the README, "Backups"."""
    config = load_config(args.config)
    source, target = Path(config.storage.path), args.target
    if target.resolve() == source.resolve():
        raise CliError(f"{target} is the database itself; back it up to another file")
    with database(config.storage.path) as store:
        try:
            store.backup(target)
        except (sqlite3.Error, OSError) as exc:
            raise CliError(f"cannot write the backup {target}: {exc}") from None
        stats = store.stats()
    megabytes = target.stat().st_size / 1e6
    print(
        f"backed up {source} to {target} ({megabytes:.1f} MB): {stats.feeds} feeds, "
        f"{stats.subscriptions} topics, {stats.articles} articles, "
        f"{stats.outbox_pending} alerts waiting"
    )
    return 0
