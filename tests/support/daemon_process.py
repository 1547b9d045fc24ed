"""The installed command as a real process: what systemd or Docker would run and read."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from tests.support.waiting import wait_for


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
    process: subprocess.Popen, condition: Callable[[], object], what: str, timeout: float = 30
) -> None:
    """Poll ``condition`` while the process runs; fail with its output if it exits first."""

    def running() -> None:
        if process.poll() is not None:
            raise AssertionError(f"the daemon exited before {what}: {process.communicate()}")

    wait_for(condition, what, timeout=timeout, check=running)


def terminate(process: subprocess.Popen) -> tuple[int, str, str]:
    """SIGTERM, then (exit status, stdout, stderr)."""
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    return process.returncode, out, err
