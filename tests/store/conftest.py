"""What the store's tests share: a store opened on a fresh database file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.store import Store


@pytest.fixture
def store(db: Path) -> Iterator[Store]:
    store = Store.open(db)
    yield store
    store.close()
