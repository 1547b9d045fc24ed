"""The shipped systemd unit as an operator installs it: inside the unit's own seccomp sandbox
the bot reads every feed and the daemon alerts and stops cleanly, and ``systemd-analyze
verify`` has nothing to say about the file.

The sandbox comes from deploy/topic-alert.service itself (tests/support/unit_sandbox.py), so these
tests follow whatever the file says.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from tests.support.botapi import FakeBotAPI
from tests.support.daemon_process import start, terminate, write_config
from tests.support.local_hosts import LOCAL_FETCH_TOML
from tests.support.pipeline_env import FeedServer, item
from tests.support.unit_sandbox import Sandbox, missing_tools, sandbox_of

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "topic-alert.service"
SANDBOX_SCRIPT = ROOT / "tests" / "support" / "unit_sandbox.py"
SHIPPED_COMMAND = "/opt/topic-alert/.venv/bin/topic-alert"
CHAT = 4242


@pytest.fixture
def unit_sandbox() -> Sandbox:
    """The seccomp sandbox the shipped unit asks for (skipped where it cannot be built)."""
    reason = missing_tools()
    if reason:
        pytest.skip(reason)
    return sandbox_of(UNIT)


def run_sandboxed(sandbox: Sandbox, cwd: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """``python ARGUMENTS`` inside ``sandbox`` (as the test's user); this checkout's code wins."""
    return subprocess.run(
        [sys.executable, str(SANDBOX_SCRIPT), sandbox.to_json(), "--", sys.executable, *arguments],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def poll_once(sandbox: Sandbox, tmp_path: Path, feeds: list[str]) -> list[str]:
    """``topic-alert poll-once`` in the sandbox with the default parse workers; what it
    printed, after checking it exited cleanly."""
    config = tmp_path / "config.toml"
    listed = "".join(f'[[feeds]]\nurl = "{url}"\n' for url in feeds)
    config.write_text(f"[polling]\ntimeout = 10\n{LOCAL_FETCH_TOML}{listed}", encoding="utf-8")
    done = run_sandboxed(sandbox, tmp_path, "-m", "bot", "poll-once", "--config", str(config))
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


@pytest.fixture
def feeds(httpserver: HTTPServer) -> list[str]:
    server = FeedServer(httpserver)
    topics = ("Talks in Baku", "Storm over Haifa", "Elections in Tbilisi", "Rates in Warsaw")
    return [server.publish(f"/feed{n}", [item(f"a{n}", title)]) for n, title in enumerate(topics)]


def test_the_shipped_unit_lets_the_bot_parse_every_feed(
    unit_sandbox: Sandbox, tmp_path: Path, feeds: list[str]
) -> None:
    out = poll_once(unit_sandbox, tmp_path, feeds)

    assert out == [
        "polled 4 feeds: 4 ok, 0 not modified, 0 failed",
        "new articles: 4, matches queued: 0",
    ]


def test_feeds_are_parsed_where_a_sandbox_refuses_the_workers_a_lower_priority(
    unit_sandbox: Sandbox, tmp_path: Path, feeds: list[str]
) -> None:
    """The unit allows setpriority back; a stricter sandbox (another unit, a container
    profile) that refuses it with the unit's EPERM still gets every feed parsed."""
    assert unit_sandbox.refusal == errno.EPERM
    stricter = dataclasses.replace(
        unit_sandbox, syscalls=[name for name in unit_sandbox.syscalls if name != "setpriority"]
    )

    out = poll_once(stricter, tmp_path, feeds)

    assert out == [
        "polled 4 feeds: 4 ok, 0 not modified, 0 failed",
        "new articles: 4, matches queued: 0",
    ]


def test_the_daemon_answers_alerts_and_stops_cleanly_inside_the_unit_s_sandbox(
    unit_sandbox: Sandbox, tmp_path: Path, httpserver: HTTPServer, botapi: FakeBotAPI
) -> None:
    """``topic-alert run`` as the unit starts it: Telegram, the scheduler, the parse workers
    and the stop on SIGTERM all work under the filter."""
    server = FeedServer(httpserver)
    feed = server.publish("/world", [])
    extra = f'[polling]\ninterval = 1\n{LOCAL_FETCH_TOML}[[feeds]]\nurl = "{feed}"\n'
    config = write_config(tmp_path, botapi.base_url, extra)
    wrapper = [sys.executable, str(SANDBOX_SCRIPT), unit_sandbox.to_json(), "--"]
    daemon = start(config, botapi.token, wrapper=wrapper)

    botapi.user_sends(CHAT, "/subscribe Baku")
    botapi.wait_for_messages(CHAT, 1, timeout=60)
    server.publish("/world", [item("a1", "Talks in Baku")])
    alert = botapi.wait_for_messages(CHAT, 2, timeout=60)[1]
    status, _, log = terminate(daemon)

    assert "Talks in Baku" in alert.plain
    assert status == 0, log
    assert log.rstrip().endswith("stopped cleanly")


PROBES = """
import mmap, os, socket
def outcome(probe):
    try:
        probe()
    except OSError as exc:
        return os.strerror(exc.errno)
    return "allowed"
print(outcome(lambda: os.sched_setaffinity(0, os.sched_getaffinity(0))))
print(outcome(lambda: mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)))
print(outcome(lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW)))
print(outcome(lambda: socket.socket(socket.AF_INET6, socket.SOCK_STREAM)))
"""


def test_the_sandbox_refuses_what_the_unit_forbids(unit_sandbox: Sandbox, tmp_path: Path) -> None:
    """The harness itself bites: a call of @resources, writable and executable memory and a
    netlink socket are refused as systemd would, while an allowed socket opens."""
    done = run_sandboxed(unit_sandbox, tmp_path, "-c", PROBES)

    assert done.stdout.splitlines() == [
        os.strerror(errno.EPERM),
        os.strerror(errno.EPERM),
        os.strerror(errno.EAFNOSUPPORT),
        "allowed",
    ], done.stderr


def test_systemd_analyze_verifies_the_unit_without_a_warning(tmp_path: Path) -> None:
    """The shipped ExecStart names /opt/topic-alert, absent here: a copy that runs this
    environment's topic-alert instead is verified, and every other line of the file as it is."""
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    command = Path(sys.executable).with_name("topic-alert")
    text = UNIT.read_text(encoding="utf-8")
    assert SHIPPED_COMMAND in text
    copy = tmp_path / UNIT.name
    copy.write_text(text.replace(SHIPPED_COMMAND, str(command)), encoding="utf-8")

    done = subprocess.run(
        ["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, timeout=60
    )

    assert (done.returncode, done.stdout + done.stderr) == (0, "")
