"""Fixtures of the ingestion tests: a pipeline on a database file, polling local feeds."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.pipeline_env import PipelineEnv, close_env, make_config, open_env


@pytest.fixture
async def env(db: Path) -> AsyncIterator[PipelineEnv]:
    """A store, fetcher and pipeline on ``db`` with the default polling settings."""
    env, fetcher = await open_env(make_config(db))
    yield env
    await close_env(env, fetcher)
