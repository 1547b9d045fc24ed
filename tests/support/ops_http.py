"""Reading a running daemon's operator port as a monitoring system does: ``/healthz`` over
HTTP, ``/metrics`` through the Prometheus text parser."""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from tests.support.daemon_process import wait_until, write_config
from tests.support.local_hosts import LOCAL_FETCH_TOML, free_port

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


class OpsPort:
    """The daemon's ``[metrics] listen`` address, on a free local port."""

    def __init__(self) -> None:
        self.listen = f"127.0.0.1:{free_port()}"

    def config(self, tmp_path: Path, base_url: str, feeds: list[str], extra: str = "") -> Path:
        """A config file with this port, ``feeds`` polled every second, local fetches allowed."""
        listed = "".join(f'[[feeds]]\nurl = "{url}"\ninterval = 1\n' for url in feeds)
        toml = f'[metrics]\nlisten = "{self.listen}"\n{extra}{LOCAL_FETCH_TOML}{listed}'
        return write_config(tmp_path, base_url, toml)

    def get(self, path: str) -> tuple[int, str]:
        """(HTTP status, body); (0, reason) while nothing listens yet."""
        try:
            with urllib.request.urlopen(f"http://{self.listen}{path}", timeout=30) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()
        except urllib.error.URLError as error:
            return 0, str(error.reason)

    def health(self) -> tuple[int, dict[str, Any]]:
        status, body = self.get("/healthz")
        return status, json.loads(body) if status else {}

    def wait_for_health(self, daemon: subprocess.Popen, status: int) -> dict[str, Any]:
        """Ask ``/healthz`` until it answers ``status``; its body then."""
        body: dict[str, Any] = {}

        def answers() -> bool:
            nonlocal body
            answer, body = self.health()
            return answer == status

        wait_until(daemon, answers, f"/healthz to answer {status}")
        return body

    def metrics(self) -> Samples:
        """Every sample of ``/metrics``: (name, labels) → value."""
        status, body = self.get("/metrics")
        assert status == 200, body
        return parse_samples(body)


def parse_samples(body: str) -> Samples:
    """Every sample of a Prometheus exposition: (name, labels) → value."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float | None:
    """The sample ``name`` with exactly ``labels``; None when the scrape has none."""
    return samples.get((name, frozenset(labels.items())))
