"""Local fake translators on a pytest-httpserver: a LibreTranslate server (``POST /translate``)
and an OpenAI-compatible chat completions endpoint (``POST /v1/chat/completions``).

Both translate with a phrasebook (each known phrase of a text replaced by its translation), and
keep every request they were sent, so a test asserts how many calls were made and what the
chats then read. ``slow`` and ``failing`` make them late or broken the way a real one is; a
slow one answers when the test calls ``release`` (its fixture does, at the end), so no test
sleeps a fixed time and the next test's server is free.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

LIBRE_PATH = "/translate"
MODEL_PATH = "/v1/chat/completions"


@dataclass
class FakeTranslator:
    """What both fakes share: the phrasebook, the requests seen, and how they misbehave."""

    server: HTTPServer
    phrasebook: Mapping[str, str]
    requests: list[dict] = field(default_factory=list)
    answering: threading.Event = field(default_factory=threading.Event)
    """Cleared by :meth:`slow`: answers wait until :meth:`release` sets it."""
    status: int = 200
    """An answer's HTTP status; 500 for a translator that fails."""

    def translated(self, text: str) -> str:
        for phrase, translation in self.phrasebook.items():
            text = text.replace(phrase, translation)
        return text

    def __post_init__(self) -> None:
        self.answering.set()

    def slow(self) -> None:
        """Answer nothing until :meth:`release`: longer than any bound the bot has."""
        self.answering.clear()

    def release(self) -> None:
        self.answering.set()

    def failing(self, status: int = 500) -> None:
        self.status = status

    @property
    def calls(self) -> int:
        return len(self.requests)

    def _answer(self, request: Request, body: object) -> Response:
        self.answering.wait(timeout=30)
        if self.status != 200:
            return Response("translator out of order", status=self.status)
        return Response(json.dumps(body), content_type="application/json")


class FakeLibreTranslate(FakeTranslator):
    """``POST /translate`` with ``q`` (a text or a list of them), ``source``, ``target``,
    ``format`` and ``api_key``, answered by ``translatedText`` as LibreTranslate does."""

    def __init__(self, server: HTTPServer, phrasebook: Mapping[str, str]) -> None:
        super().__init__(server, phrasebook)
        server.expect_request(LIBRE_PATH, method="POST").respond_with_handler(self._handle)

    @property
    def endpoint(self) -> str:
        return self.server.url_for("/")

    def _handle(self, request: Request) -> Response:
        body = json.loads(request.data)
        self.requests.append(body)
        q = body["q"]
        translated = [self.translated(t) for t in q] if isinstance(q, list) else self.translated(q)
        return self._answer(request, {"translatedText": translated})


class FakeModelTranslator(FakeTranslator):
    """An OpenAI-compatible model that answers a JSON array of texts with their translations
    (in a code fence, as chat models often do)."""

    def __init__(self, server: HTTPServer, phrasebook: Mapping[str, str]) -> None:
        super().__init__(server, phrasebook)
        server.expect_request(MODEL_PATH, method="POST").respond_with_handler(self._handle)

    @property
    def base_url(self) -> str:
        return self.server.url_for("/v1")

    def _handle(self, request: Request) -> Response:
        body = json.loads(request.data)
        self.requests.append(body)
        texts = json.loads(body["messages"][-1]["content"])
        answer = json.dumps([self.translated(t) for t in texts], ensure_ascii=False)
        message = {"role": "assistant", "content": f"```json\n{answer}\n```"}
        return self._answer(request, {"choices": [{"index": 0, "message": message}]})
