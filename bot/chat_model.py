"""One client for a model behind an OpenAI-compatible chat completions API, and an hourly budget.

Summaries (``[summary] provider = "openai"``) and translations (``[translate] backend =
"openai"``) talk to the same kind of endpoint: hosted APIs or local servers (Ollama, llama.cpp
server, vLLM). The request, the key in the ``Authorization`` header, the timeout and reading
the answer's text are written once here; each caller writes only its prompt and decides what
a failure means for it (:class:`ModelError`).
"""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Callable

import httpx

_HOUR = 3600.0


class ModelError(Exception):
    """The model gave no usable answer; the message says why, for the caller's log line."""


class ChatModel:
    """One model at one chat-completions endpoint, each request bounded by ``timeout``."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None,
        *,
        timeout: float = 10,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._timeout = timeout
        self._client = client

    async def complete(self, system: str, user: str) -> str:
        """The model's answer to ``user`` under the ``system`` prompt, whitespace as given;
        :class:`ModelError` when the request fails or the answer has no text."""
        payload = {
            "model": self.model,
            "temperature": 0,
            "messages": [
                {"role": "system", "content": system},
                {"role": "user", "content": user},
            ],
        }
        try:
            response = await self._post(payload)
            response.raise_for_status()
            content = response.json()["choices"][0]["message"]["content"]
        except httpx.HTTPError as exc:
            raise ModelError(f"request failed: {exc!r}") from exc
        except (json.JSONDecodeError, KeyError, IndexError, TypeError) as exc:
            raise ModelError(f"answered in an unexpected shape: {exc!r}") from exc
        if not content or not str(content).strip():
            raise ModelError("answered with no text")
        return str(content)

    async def _post(self, payload: dict[str, object]) -> httpx.Response:
        if self._client is not None:
            return await self._client.post(
                self.url, json=payload, headers=self._headers, timeout=self._timeout
            )
        async with httpx.AsyncClient(timeout=self._timeout) as client:
            return await client.post(self.url, json=payload, headers=self._headers)


class HourlyBudget:
    """At most ``limit`` units (calls, characters) spent in any hour, a sliding one.

    ``clock`` is monotonic seconds: the budget measures spans of time, which a change of the
    wall clock must not stretch or shrink (tests move their own clock on).
    """

    def __init__(self, limit: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self._clock = clock
        self._spent: deque[tuple[float, int]] = deque()
        self._total = 0

    def spend(self, amount: int = 1) -> bool:
        """Count ``amount`` against the last hour's budget; False (nothing counted) when it
        does not fit in what is left."""
        now = self._clock()
        while self._spent and now - self._spent[0][0] >= _HOUR:
            self._total -= self._spent.popleft()[1]
        if self._total + amount > self.limit:
            return False
        self._spent.append((now, amount))
        self._total += amount
        return True
