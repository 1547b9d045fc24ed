"""Model summaries against a local fake chat-completions endpoint, and every way back."""

from __future__ import annotations

import json
import time

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from bot.summary import LLMSummarizer, Summary, summarize, summarize_article
from rules import Hit

TITLE = "Valdora dockers end strike"
TEXT = (
    "Dock workers at the port of Valdora voted on Thursday to end a three-week strike. "
    "The harbour authority agreed to a 6 percent pay rise. Work resumes on Friday."
)
WRITTEN = "Valdora dock workers ended their three-week strike. They won a 6 percent raise."


def completion(content: object) -> dict:
    return {"choices": [{"index": 0, "message": {"role": "assistant", "content": content}}]}


def summarizer(httpserver: HTTPServer, **options: float) -> LLMSummarizer:
    return LLMSummarizer(httpserver.url_for("/v1"), "tiny-model", "secret-key", **options)


async def test_uses_the_models_summary(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v1/chat/completions", method="POST").respond_with_json(
        completion(f"  {WRITTEN}\n")
    )
    assert await summarizer(httpserver).summarize(TITLE, TEXT) == WRITTEN
    request = httpserver.log[0][0]
    body = json.loads(request.data)
    assert request.headers["Authorization"] == "Bearer secret-key"
    assert body["model"] == "tiny-model"
    assert TEXT in body["messages"][-1]["content"]


async def test_model_summary_gets_the_matched_terms_in_bold(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v1/chat/completions").respond_with_json(completion(WRITTEN))

    start = TEXT.index("Valdora")
    hit = Hit(term="valdora", field="text", start=start, end=start + len("Valdora"))
    summary = await summarize_article(TITLE, TEXT, [hit], llm=summarizer(httpserver))
    assert summary.text == WRITTEN
    assert [summary.text[a:b] for a, b in summary.highlights] == ["Valdora"]


def slow(request: Request) -> Response:
    time.sleep(1.5)
    return Response(json.dumps(completion(WRITTEN)), content_type="application/json")


@pytest.mark.parametrize(
    "serve",
    [
        pytest.param(lambda server: server.respond_with_handler(slow), id="slow"),
        pytest.param(lambda server: server.respond_with_data("boom", status=500), id="500"),
        pytest.param(
            lambda server: server.respond_with_data("{not json", content_type="application/json"),
            id="malformed JSON",
        ),
        pytest.param(lambda server: server.respond_with_json({"choices": []}), id="no choices"),
        pytest.param(lambda server: server.respond_with_json(completion("")), id="empty"),
        pytest.param(lambda server: server.respond_with_json({"error": "x"}), id="wrong shape"),
    ],
)
async def test_any_failure_falls_back_to_the_extractive_summary(
    httpserver: HTTPServer, serve
) -> None:
    serve(httpserver.expect_request("/v1/chat/completions"))
    llm = summarizer(httpserver, timeout=0.5)
    assert await llm.summarize(TITLE, TEXT) is None
    assert await summarize_article(TITLE, TEXT, llm=llm) == summarize(TITLE, TEXT)


async def test_an_unreachable_endpoint_falls_back() -> None:
    llm = LLMSummarizer("http://127.0.0.1:9/v1", "tiny-model", None, timeout=0.5)
    assert await summarize_article(TITLE, TEXT, llm=llm) == summarize(TITLE, TEXT)


async def test_over_budget_calls_are_not_made(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v1/chat/completions").respond_with_json(completion(WRITTEN))
    now = [0.0]
    llm = LLMSummarizer(
        httpserver.url_for("/v1"), "tiny-model", None, hourly_budget=2, clock=lambda: now[0]
    )
    assert await llm.summarize(TITLE, TEXT) == WRITTEN
    assert await llm.summarize(TITLE, TEXT) == WRITTEN
    assert await summarize_article(TITLE, TEXT, llm=llm) == summarize(TITLE, TEXT)
    assert len(httpserver.log) == 2
    now[0] = 3600.0  # an hour later the budget is there again
    assert await llm.summarize(TITLE, TEXT) == WRITTEN


async def test_without_a_model_nothing_is_sent(httpserver: HTTPServer) -> None:
    assert await summarize_article(TITLE, TEXT) == summarize(TITLE, TEXT)
    assert httpserver.log == []


async def test_an_overlong_model_summary_falls_back(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v1/chat/completions").respond_with_json(completion("word " * 200))
    summary = await summarize_article(TITLE, TEXT, llm=summarizer(httpserver), max_chars=400)
    assert summary == summarize(TITLE, TEXT)
    assert isinstance(summary, Summary)
