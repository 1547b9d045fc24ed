"""The installed command as a real process: what systemd or Docker would run and read."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

import pytest

from tests.support.waiting import wait_for

NOBODY = 65534
ROOT = Path(__file__).resolve().parents[2]


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
    cwd: Path | None = None,
) -> Daemon:
    """``python -m bot [options] COMMAND --config CONFIG`` with the token in the environment,
    its output read as it is written (:class:`Daemon`); ``wrapper`` is a command that execs it
    (a sandbox), ``cwd`` where it runs (where ``-m bot`` finds the code, for a copy)."""
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": token}
    return Daemon(
        [*wrapper, sys.executable, "-m", "bot", *options, command, "--config", str(config)],
        cwd=cwd,
        env=env,
    )


class Daemon(subprocess.Popen[str]):
    """The command under test, its stdout and stderr drained by threads as it writes them,
    as systemd's journal or Docker's log driver drains them.

    A pipe nobody reads fills at 64 KB, and the process then blocks in its next write: a
    daemon whose DEBUG log shows each Bot API request with its whole text got there within a
    few commands, and stopped answering (replies and polls) until the test stopped it and read
    the pipe at last. ``communicate`` returns what was drained; ``log`` follows stderr while
    the process runs.
    """

    def __init__(self, args: Sequence[str], *, cwd: Path | None, env: dict[str, str]) -> None:
        super().__init__(
            args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        assert self.stdout is not None and self.stderr is not None
        self._out = FollowedLog(self.stdout)
        self.log = FollowedLog(self.stderr)

    def communicate(
        self, input: str | None = None, timeout: float | None = None
    ) -> tuple[str, str]:
        """Wait for the exit (``subprocess.TimeoutExpired`` past ``timeout``); (stdout,
        stderr), all of both."""
        assert input is None, "the daemon reads no input"
        self.wait(timeout)
        return self._out.text(), self.log.text()


def reachable_code(folder: Path) -> Path:
    """A copy of the packages under test in ``folder``, whose own parents another user can
    enter: a clone in a folder only its owner can enter (``mktemp -d``, ``/root``) is out of
    that user's reach, and ``-m bot`` would otherwise import whatever install it finds."""
    code = folder / "code"
    for package in ("bot", "rules"):
        shutil.copytree(
            ROOT / package, code / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    for path in (code, *code.rglob("*")):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return code


def unprivileged(code: Path) -> list[str]:
    """What runs ``python -m bot`` (from ``code``, see :func:`reachable_code`) as a user that
    file permissions bind: root ignores them, so as root the command runs as nobody (through
    util-linux's ``setpriv``); anyone else as is. Skips, naming why, when nobody cannot run
    this interpreter with its packages (a virtual environment inside a private folder)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("as root, this test needs setpriv to run the command as another user")
    wrapper = [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    probe = "import sys, bot; print(sys.prefix); print(bot.__file__)"
    result = subprocess.run(
        [*wrapper, sys.executable, "-c", probe],
        cwd=code,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    lines = result.stdout.splitlines()
    if result.returncode != 0 or not lines or lines[0] != sys.prefix:
        reason = (result.stderr.strip().splitlines() or ["it sees another environment"])[-1]
        pytest.skip(
            f"nobody (uid {NOBODY}) cannot run {sys.executable} with its packages ({reason}); "
            "put the virtual environment in a folder every user can enter to run this test"
        )
    assert Path(lines[1]).is_relative_to(code), f"nobody imported bot from {lines[1]}"
    return wrapper


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


class FollowedLog:
    """A stream read as it is written (a thread drains it), so a test can wait for a line
    while the process runs and still read the whole of it after it exits."""

    def __init__(self, stream: TextIO) -> None:
        self._lines: list[str] = []
        self._reader = threading.Thread(
            target=self._drain, args=(stream,), name="drain", daemon=True
        )
        self._reader.start()

    def _drain(self, stream: TextIO) -> None:
        for line in stream:
            self._lines.append(line)

    def says(self, needle: str) -> bool:
        """Whether a line so far contains ``needle``."""
        return self.count(needle) > 0

    def count(self, needle: str) -> int:
        """How many lines so far contain ``needle``."""
        return sum(needle in line for line in list(self._lines))

    def lines(self) -> list[str]:
        """Every line, once the process has exited (the stream is read to its end)."""
        return self.text().splitlines()

    def text(self) -> str:
        """All of it, once the process has exited."""
        self._reader.join(timeout=30)
        return "".join(self._lines)


def stop(process: subprocess.Popen[str], sig: signal.Signals) -> int:
    """Send ``sig`` and wait for the exit; its status."""
    process.send_signal(sig)
    return process.wait(timeout=60)
