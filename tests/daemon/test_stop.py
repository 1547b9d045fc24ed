"""SIGTERM in the middle of a large poll: the installed daemon stops, loses nothing, and says
what it cut short.

The daemon runs as systemd or Docker runs it (``python -m bot run``, a local fake Bot API and
a local feed of 200 stories for 10 chats) and gets SIGTERM at points spread over its poll. A
poll still fetching is cancelled, one being stored finishes its transaction or is rolled
back, and the log says which; "stopped cleanly" is logged only when no poll was cut short.
After each stop the outbox holds all of the poll's alerts or none, and one more poll all.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from pytest_httpserver import HTTPServer

from tests.support.botapi import FakeBotAPI
from tests.support.daemon_process import wait_until
from tests.support.local_hosts import LOCAL_FETCH_TOML
from tests.support.pipeline_env import (
    ARTICLES,
    WAIT,
    BurstFeed,
    copy_of,
    outbox_pairs,
    poll_again,
    prime,
)

CHATS = 10
ALERTS = CHATS * ARTICLES
STOPS = 6


def start_daemon(db: Path, botapi: FakeBotAPI) -> subprocess.Popen[str]:
    config = db.with_suffix(".toml")
    config.write_text(
        f'[storage]\npath = "{db}"\n[polling]\nparse_workers = -1\n'
        f'[telegram]\nbase_url = "{botapi.base_url}"\n[delivery]\ndigest_threshold = 1\n'
        + LOCAL_FETCH_TOML
    )
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": botapi.token}
    command = [sys.executable, "-m", "bot", "run", "--config", str(config)]
    return subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)


def stop(daemon: subprocess.Popen[str]) -> str:
    daemon.send_signal(signal.SIGTERM)
    _, log = daemon.communicate(timeout=WAIT)
    assert daemon.returncode == 0, log
    return log


def all_queued(db: Path) -> bool:
    try:
        return outbox_pairs(db)[0] == ALERTS
    except Exception:  # the daemon is creating the tables, or has them locked
        return False


async def test_sigterm_at_any_point_of_a_poll_loses_nothing_and_the_log_says_what_was_cut(
    botapi: FakeBotAPI, httpserver: HTTPServer, tmp_path: Path
) -> None:
    feed = BurstFeed(httpserver)
    template = tmp_path / "template.db"
    prime(template, feed.url, chats=CHATS)

    # A poll left to finish, to know how long one takes: the stop after it is clean.
    whole = copy_of(template, "whole")
    daemon = start_daemon(whole, botapi)
    assert feed.fetched.wait(WAIT)
    start = time.monotonic()
    wait_until(daemon, lambda: all_queued(whole), "every alert queued", timeout=WAIT)
    duration = time.monotonic() - start
    assert stop(daemon).rstrip().endswith("stopped cleanly")

    outcomes = Counter()
    for step in range(STOPS):
        db = copy_of(template, f"stop{step}")
        feed.fetched.clear()
        daemon = start_daemon(db, botapi)
        assert feed.fetched.wait(WAIT)
        time.sleep(duration * step / (STOPS - 1))
        log = stop(daemon)

        queued, _ = outbox_pairs(db)
        last = log.rstrip().splitlines()[-1]
        cancelled = "1 polls were cancelled before they stored anything" in last
        finished = "stored this poll before stopping" in log
        assert queued in (0, ALERTS), f"stop {step}: {queued} of {ALERTS} alerts queued"
        if queued == 0:  # the poll was cut short, and the last line says so
            assert cancelled and "stopped cleanly" not in log, log
        else:
            assert last.endswith("stopped cleanly") and not cancelled, log
        outcomes[
            "cancelled" if cancelled else "stored during the stop" if finished else "done"
        ] += 1
        await poll_again(db)
        assert outbox_pairs(db) == (ALERTS, ALERTS), f"stop {step}"
    print(f"what the stop found: {dict(outcomes)}")
