"""The optional second opinion on story copies, through the real pipeline: an embeddings
endpoint (a local fake that keeps what it received) decides the pairs the lexical check is
unsure of, and only those; with none configured nothing is sent anywhere; a failing one
leaves grouping to the words, counted and logged once.

The pairs are labelled ones (tests/data/stories/pairs.json) that sit in the lexical check's
unsure band; each test first checks that they still do.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from bot.config import Config
from bot.ingest.copies import copy_margin, profile
from bot.ingest.stories import UNSURE_BAND
from bot.ops.activity import Activity
from tests.support.pipeline_env import (
    FeedServer,
    PipelineEnv,
    close_env,
    item,
    make_config,
    open_env,
)
from tests.support.story_pairs import Story, labelled_articles

APART_BY_WORDS = ("de-lufthansa", "de-lufthansa-copy", "Lufthansa")
"""A reworded copy the lexical check just misses: (article, copy, the rule that matches both)."""
ONE_BY_WORDS = ("football-1", "football-1-copy", "Haifa")
"""A retold match report the lexical check just merges."""
SURE_COPY = ("knesset", "knesset-wire", "Knesset")
"""A copy with a dateline added: the lexical check is sure."""
KEY_VARIABLE = "TEST_EMBEDDINGS_KEY"


@dataclass
class FakeEmbeddings:
    """An OpenAI-compatible ``POST /v1/embeddings`` on the local server. ``agree``: every text
    gets one vector (cosine 1); else each text its own, orthogonal to the others (cosine 0).
    ``status`` other than 200 answers every request with that error."""

    httpserver: HTTPServer
    agree: bool = True
    status: int = 200
    received: list[tuple[dict[str, object], str | None]] = field(default_factory=list)
    """Each request's JSON body and Authorization header, in order."""
    _axes: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.httpserver.expect_request("/v1/embeddings", method="POST").respond_with_handler(
            self._answer
        )

    @property
    def base_url(self) -> str:
        return self.httpserver.url_for("/v1")

    def _answer(self, request: Request) -> Response:
        body = request.get_json()
        self.received.append((body, request.headers.get("Authorization")))
        if self.status != 200:
            return Response("overloaded", status=self.status)
        data = [
            {"object": "embedding", "index": i, "embedding": self._vector(text)}
            for i, text in enumerate(body["input"])
        ]
        answer = {"object": "list", "data": data, "model": body["model"]}
        return Response(json.dumps(answer), content_type="application/json")

    def _vector(self, text: str) -> list[float]:
        axis = 0 if self.agree else self._axes.setdefault(text, len(self._axes))
        return [1.0 if i == axis else 0.0 for i in range(16)]


def configured(db: Path, endpoint: FakeEmbeddings | None) -> Config:
    """The pipeline's config (no teaser pages fetched), asking ``endpoint`` when given."""
    config = make_config(db, full_text_threshold=0)
    if endpoint is None:
        return config
    stories = replace(
        config.stories,
        embeddings_base_url=endpoint.base_url,
        embeddings_model="test-embed",
        embeddings_api_key_env=KEY_VARIABLE,
    )
    return replace(config, stories=stories)


def unsure(first: Story, copy: Story) -> bool:
    """Whether the lexical check is unsure of the pair (the premise of the tests using it)."""
    a, b = profile(first.title, first.text), profile(copy.title, copy.text)
    assert a is not None and b is not None
    measured = copy_margin(a, b)
    return measured is not None and abs(measured[0]) < UNSURE_BAND


async def story_from_two_feeds(
    env: PipelineEnv, server: FeedServer, pair: tuple[str, str, str], *, tag: str = ""
) -> list[str]:
    """The pair's first article alerts from one feed, its copy then comes from another; the
    outbox rows' statuses."""
    first, copy, rule = pair
    stories = labelled_articles()
    env.subscribe(1, rule)
    urls = [server.publish(f"/{tag}{name}.xml", []) for name in (first, copy)]
    for url in urls:
        await env.poll(url)  # known feeds: their next items alert
    for name, url in zip((first, copy), urls, strict=True):
        story = stories[name]
        server.publish(
            f"/{tag}{name}.xml", [item(name, story.title, link=story.link, text=story.text)]
        )
        await env.poll(url)
    return statuses(env)


def statuses(env: PipelineEnv) -> list[str]:
    return [s for (s,) in env.store.conn.execute("SELECT status FROM outbox ORDER BY id")]


@pytest.fixture
async def open_pipeline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Opens a pipeline on a database in ``tmp_path`` asking the given endpoint (or none)."""
    monkeypatch.setenv(KEY_VARIABLE, "sekret")
    opened = []

    async def open_one(endpoint: FakeEmbeddings | None, activity: Activity | None = None):
        env, fetcher = await open_env(configured(tmp_path / "bot.db", endpoint), activity=activity)
        opened.append((env, fetcher))
        return env

    yield open_one
    for env, fetcher in opened:
        await close_env(env, fetcher)


async def test_an_unsure_pair_apart_by_its_words_is_one_story_when_the_embeddings_agree(
    open_pipeline, httpserver: HTTPServer
) -> None:
    stories = labelled_articles()
    first, copy = stories[APART_BY_WORDS[0]], stories[APART_BY_WORDS[1]]
    assert unsure(first, copy)
    endpoint = FakeEmbeddings(httpserver, agree=True)
    env = await open_pipeline(endpoint)

    assert await story_from_two_feeds(env, FeedServer(httpserver), APART_BY_WORDS) == [
        "pending",
        "merged",
    ]
    [(body, key)] = endpoint.received
    assert key == "Bearer sekret"
    assert body["model"] == "test-embed"
    assert body["input"] == [f"{first.title}\n\n{first.text}", f"{copy.title}\n\n{copy.text}"]


async def test_an_unsure_pair_one_by_its_words_stays_apart_when_the_embeddings_disagree(
    open_pipeline, httpserver: HTTPServer
) -> None:
    stories = labelled_articles()
    assert unsure(stories[ONE_BY_WORDS[0]], stories[ONE_BY_WORDS[1]])
    endpoint = FakeEmbeddings(httpserver, agree=False)
    env = await open_pipeline(endpoint)

    assert await story_from_two_feeds(env, FeedServer(httpserver), ONE_BY_WORDS) == [
        "pending",
        "pending",
    ]
    assert len(endpoint.received) == 1


async def test_a_copy_the_words_are_sure_of_is_never_sent(
    open_pipeline, httpserver: HTTPServer
) -> None:
    stories = labelled_articles()
    assert not unsure(stories[SURE_COPY[0]], stories[SURE_COPY[1]])
    endpoint = FakeEmbeddings(httpserver, agree=False)
    env = await open_pipeline(endpoint)

    assert await story_from_two_feeds(env, FeedServer(httpserver), SURE_COPY) == [
        "pending",
        "merged",
    ]
    assert endpoint.received == []


async def test_without_an_endpoint_configured_no_text_is_sent_and_the_words_decide(
    open_pipeline, httpserver: HTTPServer
) -> None:
    endpoint = FakeEmbeddings(httpserver)  # listening, but not in the config
    env = await open_pipeline(None)
    server = FeedServer(httpserver)

    assert await story_from_two_feeds(env, server, APART_BY_WORDS) == ["pending", "pending"]
    assert await story_from_two_feeds(env, server, ONE_BY_WORDS, tag="b") == [
        "pending",
        "pending",
        "pending",
        "merged",
    ]
    assert endpoint.received == []
    assert [entry for entry in httpserver.log if entry[0].path == "/v1/embeddings"] == []


async def test_a_failing_endpoint_leaves_the_words_to_decide_counted_and_logged_once(
    open_pipeline, httpserver: HTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    endpoint = FakeEmbeddings(httpserver, status=503)
    activity = Activity()
    env = await open_pipeline(endpoint, activity)
    server = FeedServer(httpserver)

    with caplog.at_level(logging.INFO, logger="bot.ingest.semantic"):
        assert await story_from_two_feeds(env, server, APART_BY_WORDS) == ["pending", "pending"]
        assert await story_from_two_feeds(env, server, ONE_BY_WORDS, tag="b") == [
            "pending",
            "pending",
            "pending",
            "merged",
        ]

    assert len(endpoint.received) == 1, "not asked again within a minute of failing"
    failures = [r.getMessage() for r in caplog.records if "embeddings endpoint" in r.getMessage()]
    assert len(failures) == 1
    assert "503" in failures[0]
    assert "decided by their words alone" in failures[0]
    checks = activity.registry.get_sample_value(
        "topic_alert_story_checks_total", {"outcome": "failed"}
    )
    assert checks == 2


async def test_a_restart_keeps_what_the_embeddings_decided_without_asking_again(
    open_pipeline, httpserver: HTTPServer
) -> None:
    endpoint = FakeEmbeddings(httpserver, agree=True)
    env = await open_pipeline(endpoint)
    server = FeedServer(httpserver)
    assert await story_from_two_feeds(env, server, APART_BY_WORDS) == ["pending", "merged"]
    asked = len(endpoint.received)

    restarted = await open_pipeline(endpoint)
    first, copy = (labelled_articles()[name] for name in APART_BY_WORDS[:2])
    third = server.publish("/third.xml", [])
    await restarted.poll(third)
    again = item("t", copy.title, link="https://third.example/lufthansa", text=copy.text)
    server.publish("/third.xml", [again])
    await restarted.poll(third)

    rows = restarted.store.conn.execute("SELECT status, story_of FROM outbox ORDER BY id")
    assert rows.fetchall() == [("pending", None), ("merged", 1), ("merged", 1)]
    [(body, _)] = endpoint.received[asked:]  # the rebuild asked nothing; the new pair once
    assert body["input"] == [f"{first.title}\n\n{first.text}", f"{copy.title}\n\n{copy.text}"]
