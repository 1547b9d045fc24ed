"""A second opinion on story copies the lexical check is unsure of: how alike two articles'
embeddings are, asked of an OpenAI-compatible ``POST …/embeddings`` endpoint.

Off unless ``[stories] embeddings_base_url`` is set (configured as the summary model is,
``bot.summary.llm``): only then does article text leave the machine, and then only for the
pairs ``bot.ingest.stories`` finds in its ``UNSURE_BAND``, a few a day where every poll brings
hundreds of articles. Never required: a failed or slow request leaves the pair to the lexical
check, counted (``outcome="failed"``) and logged once per outage; after a failure the endpoint
is left alone for ``RETRY_AFTER`` seconds, so an outage costs a poll one timeout, not one per
pair.

Embeddings are kept in memory, for the latest ``CACHE_SIZE`` articles asked about: a story's
first article meets each of its copies in turn and is sent once. A restart pays nothing again
for the pairs already decided (the story memory is rebuilt from the stories the store
recorded, ``bot.ingest.grouping``); only a new unsure pair with an older article asks for
that article's embedding again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

import httpx
import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from bot.config import StoriesConfig

logger = logging.getLogger(__name__)

CACHE_SIZE = 1024
"""Articles whose embeddings are kept (a 1,536-number embedding as float32 is 6 KB)."""
RETRY_AFTER = 60.0
"""Seconds after a failure before the endpoint is asked again."""
LOOKUP_SECONDS = 10.0
"""What a question may take beyond the request's timeout: reading its articles' texts."""
_MAX_INPUT_CHARS = 2000
"""The title and the start of the text: what says which event it is (and what wire copies
keep), at a few hundred tokens a request."""

Vector = npt.NDArray[np.float32]
TextOf = Callable[[str], Awaitable[str | None]]
"""An article's key → the text to embed (title and text), None when it is gone."""
Count = Callable[[str], None]
"""Called with each check's outcome: "same", "different" or "failed"."""


class EmbeddingsError(Exception):
    """The endpoint did not give one embedding per text: unreachable, slow, refused, or an
    answer in another shape."""


class EmbeddingsClient:
    """A client for one OpenAI-compatible embeddings endpoint, with a timeout."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None,
        timeout: float = 5.0,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._url = base_url.rstrip("/") + "/embeddings"
        self._model = model
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.timeout = timeout
        self._client = client

    async def embed(self, texts: Sequence[str]) -> list[Vector]:
        """One unit-length embedding per text, in order; raises EmbeddingsError."""
        payload: dict[str, object] = {"model": self._model, "input": list(texts)}
        try:
            async with asyncio.timeout(self.timeout):  # the whole request, however it trickles
                response = await self._post(payload)
            response.raise_for_status()
            data = sorted(response.json()["data"], key=lambda item: item["index"])
            vectors = [np.asarray(item["embedding"], dtype=np.float32) for item in data]
        except TimeoutError as exc:
            raise EmbeddingsError(f"no answer within {self.timeout:g} s") from exc
        except httpx.HTTPError as exc:
            raise EmbeddingsError(f"request failed: {exc!r}") from exc
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise EmbeddingsError(f"answered in an unexpected shape: {exc!r}") from exc
        if len(vectors) != len(texts) or any(v.ndim != 1 or not v.size for v in vectors):
            raise EmbeddingsError(f"answered {len(vectors)} embeddings for {len(texts)} texts")
        return [_unit(vector) for vector in vectors]

    async def _post(self, payload: dict[str, object]) -> httpx.Response:
        if self._client is not None:
            return await self._client.post(self._url, json=payload, headers=self._headers)
        async with httpx.AsyncClient() as client:
            return await client.post(self._url, json=payload, headers=self._headers)


class SemanticCheck:
    """Whether two articles are one story by their embeddings; see the module docstring."""

    def __init__(
        self,
        client: EmbeddingsClient,
        threshold: float,
        *,
        count: Count | None = None,
        clock: Callable[[], float] = time.monotonic,
        cache_size: int = CACHE_SIZE,
    ) -> None:
        self.client = client
        self.threshold = threshold
        self._count = count or (lambda outcome: None)
        self._clock = clock
        self._cache: OrderedDict[str, Vector] = OrderedDict()
        self._cache_size = cache_size
        self._down_until: float | None = None
        """While the endpoint is failing: when to ask it again."""
        self.longest = client.timeout + LOOKUP_SECONDS
        """The longest :meth:`same_story` should take; a caller waiting from another thread
        gives up after it."""

    async def same_story(self, earlier: str, later: str, text_of: TextOf) -> bool | None:
        """Whether the articles keyed ``earlier`` and ``later`` are one story (their cosine
        similarity reaches the threshold); None when the endpoint cannot say, or an article's
        text is gone."""
        if self._down_until is not None and self._clock() < self._down_until:
            self._count("failed")
            return None
        try:
            first, second = await self._vectors([earlier, later], text_of)
        except LookupError:
            return None
        except EmbeddingsError as exc:
            self._failed(exc)
            return None
        if self._down_until is not None:
            logger.info("embeddings endpoint answers again: story pairs get its opinion")
            self._down_until = None
        same = float(first @ second) >= self.threshold
        self._count("same" if same else "different")
        return same

    async def _vectors(self, keys: list[str], text_of: TextOf) -> list[Vector]:
        """The embeddings of ``keys``' articles: from the cache, else asked for together."""
        missing = [key for key in keys if key not in self._cache]
        texts = [await text_of(key) for key in missing]
        if any(text is None for text in texts):
            raise LookupError("an article of the pair is no longer stored")
        if missing:
            vectors = await self.client.embed([text for text in texts if text is not None])
            for key, vector in zip(missing, vectors, strict=True):
                self._cache[key] = vector
        found = []
        for key in keys:
            self._cache.move_to_end(key)
            found.append(self._cache[key])
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return found

    def _failed(self, error: EmbeddingsError) -> None:
        self._count("failed")
        if self._down_until is None:
            logger.warning(
                "embeddings endpoint failed (%s): story pairs are decided by their words alone "
                "until it answers again (asked again every %g s)",
                error,
                RETRY_AFTER,
            )
        self._down_until = self._clock() + RETRY_AFTER


def embedded_text(title: str, text: str) -> str:
    """What is sent for an article: its title and the start of its text."""
    return f"{title}\n\n{text}"[:_MAX_INPUT_CHARS]


def semantic_from_config(
    config: StoriesConfig, *, count: Count | None = None
) -> SemanticCheck | None:
    """The second opinion ``[stories]`` asks for, or None: nothing is sent anywhere unless
    ``embeddings_base_url`` is set; the key comes from the environment variable it names."""
    if not config.embeddings_base_url:
        return None
    client = EmbeddingsClient(
        config.embeddings_base_url,
        config.embeddings_model,
        os.environ.get(config.embeddings_api_key_env),
        timeout=config.embeddings_timeout,
    )
    return SemanticCheck(client, config.embeddings_threshold, count=count)


def _unit(vector: Vector) -> Vector:
    """``vector`` scaled to length 1, so a dot product is the cosine (a zero vector stays)."""
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector
