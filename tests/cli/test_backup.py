"""``topic-alert backup PATH``: a consistent copy while the bot writes, and the restore the
README describes (stop the bot, copy the backup over the database file, start)."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import rules
from bot.cli import main
from bot.store import Store
from tests.support.pipeline_env import numbered_article as article


def write_config(tmp_path: Path, db: Path) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\npath = "{db}"\n')
    return config


def test_a_backup_taken_while_the_bot_writes_restores_what_it_held(tmp_path: Path, capsys) -> None:
    db = tmp_path / "bot.db"
    bot = Store.open(db)  # the running bot's connection
    bot.add_subscription(1, rules.compile("Baku"))
    feed = bot.add_feed("https://news.example.org/feed.xml")
    bot.add_articles(feed.id, [article(n) for n in range(100)], seen_at=datetime.now(UTC))
    stop = threading.Event()

    def keep_polling() -> None:
        n = 100
        while not stop.is_set():
            bot.add_articles(
                feed.id, [article(n + k) for k in range(20)], seen_at=datetime.now(UTC)
            )
            n += 20

    writer = threading.Thread(target=keep_polling)
    writer.start()
    try:
        status = main(
            ["backup", str(tmp_path / "copy.db"), "--config", str(write_config(tmp_path, db))]
        )
    finally:
        stop.set()
        writer.join()
    assert status == 0
    out = capsys.readouterr().out
    assert out.startswith(f"backed up {db} to {tmp_path / 'copy.db'} (")
    assert "1 topics" in out
    copy = sqlite3.connect(tmp_path / "copy.db")
    assert copy.execute("PRAGMA quick_check").fetchone() == ("ok",)
    assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one file to copy
    (backed_up,) = copy.execute("SELECT count(*) FROM articles").fetchone()
    copy.close()
    assert backed_up >= 100 and backed_up % 20 == 0  # whole polls, never half of one
    assert not list(tmp_path.glob("*.partial"))

    # Restore: stop the bot, copy the backup over the database file, start.
    bot.add_subscription(2, rules.compile("Oslo"))  # after the backup: gone once restored
    bot.close()
    (tmp_path / "copy.db").replace(db)
    restored = Store.open(db)
    assert [s.rule for s in restored.active_subscriptions()] == ["Baku"]
    assert restored.stats().articles == backed_up
    assert restored.unseen_articles(feed.id, [article(0)]) == []
    restored.close()


def test_a_backup_is_refused_over_the_database_itself(tmp_path: Path, capsys) -> None:
    db = tmp_path / "bot.db"
    Store.open(db).close()

    assert main(["backup", str(db), "--config", str(write_config(tmp_path, db))]) == 2

    err = capsys.readouterr().err
    assert err == f"topic-alert: {db} is the database itself; back it up to another file\n"


def test_a_backup_that_cannot_be_written_is_one_line(tmp_path: Path, capsys) -> None:
    db = tmp_path / "bot.db"
    Store.open(db).close()
    target = tmp_path / "no" / "such" / "folder" / "copy.db"

    assert main(["backup", str(target), "--config", str(write_config(tmp_path, db))]) == 2

    err = capsys.readouterr().err
    assert err.startswith(f"topic-alert: cannot write the backup {target}: ")
    assert err.count("\n") == 1
