"""The installed command as a real process: what systemd or Docker would run and read."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

import pytest

NOBODY = 65534


def write_config(tmp_path: Path, base_url: str, extra: str = "") -> Path:
    """A config file: database in tmp_path, the given Bot API, plus ``extra`` TOML."""
    path = tmp_path / "config.toml"
    path.write_text(
        f'[storage]\npath = "{tmp_path / "bot.db"}"\n[telegram]\nbase_url = "{base_url}"\n{extra}',
        encoding="utf-8",
    )
    return path


def start(
    config: Path,
    token: str,
    *options: str,
    command: str = "run",
    wrapper: Sequence[str] = (),
) -> subprocess.Popen:
    """``python -m bot [options] COMMAND --config CONFIG`` with the token in the environment,
    stdout and stderr captured as text; ``wrapper`` is a command that execs it (a sandbox)."""
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": token}
    return subprocess.Popen(
        [*wrapper, sys.executable, "-m", "bot", *options, command, "--config", str(config)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def unprivileged() -> list[str]:
    """What runs a command as a user that file permissions bind: root ignores them, so as
    root the command runs as nobody (through util-linux's ``setpriv``); anyone else as is."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("as root, this test needs setpriv to run the command as another user")
    return [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]


def run_command(config: Path, *args: str) -> str:
    """A one-shot ``python -m bot ARGS --config CONFIG`` (as an operator runs one beside the
    daemon); its stdout, once it exited 0."""
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args, "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def wait_until(
    process: subprocess.Popen, condition: Callable[[], bool], what: str, timeout: float = 30
) -> None:
    """Poll ``condition`` while the process runs; fail with its output if it exits first."""
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"the daemon exited before {what}: {process.communicate()}")
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def terminate(process: subprocess.Popen) -> tuple[int, str, str]:
    """SIGTERM, then (exit status, stdout, stderr)."""
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    return process.returncode, out, err


class FollowedLog:
    """A running process's stderr read as it is written (a thread drains the pipe), so a test
    can wait for a line while the process runs and still read the whole log after it exits."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        assert process.stderr is not None, "start the process with stderr=PIPE"
        self._lines: list[str] = []
        self._reader = threading.Thread(
            target=self._drain, args=(process.stderr,), name="stderr", daemon=True
        )
        self._reader.start()

    def _drain(self, stream: TextIO) -> None:
        for line in stream:
            self._lines.append(line.rstrip("\n"))

    def says(self, needle: str) -> bool:
        """Whether a line so far contains ``needle``."""
        return self.count(needle) > 0

    def count(self, needle: str) -> int:
        """How many lines so far contain ``needle``."""
        return sum(needle in line for line in list(self._lines))

    def lines(self) -> list[str]:
        """Every line, once the process has exited (the pipe is read to its end)."""
        self._reader.join(timeout=30)
        return list(self._lines)


def stop(process: subprocess.Popen[str], sig: signal.Signals) -> int:
    """Send ``sig`` and wait for the exit; its status."""
    process.send_signal(sig)
    return process.wait(timeout=60)
