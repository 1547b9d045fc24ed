"""The alert text: why it matched (the matcher's compiled rules say), and a model's summary when
it answers, ours when not."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime

import pytest
from pytest_httpserver import HTTPServer

import rules
from bot import matching
from bot.article import Article
from bot.delivery import render_outbox_row
from bot.matching import SubscriptionMatcher
from bot.store import AsyncStore, Store
from bot.summary import LLMSummarizer

TEXT = (
    "Israeli President Isaac Herzog will travel to Azerbaijan on Tuesday. "
    "The visit is meant to strengthen ties with Israel."
)
MODEL_SUMMARY = "Herzog visits Azerbaijan to deepen ties with Israel. Deals are expected."


@pytest.fixture
def row(tmp_path):
    yield from stored_row(tmp_path, "Israel + Azerbaijan", TEXT)


def stored_row(tmp_path, rule: str, text: str):
    store = Store.open(tmp_path / "t.db")
    sub = store.add_subscription(1, rules.compile(rule))
    feed = store.add_feed("https://news.example.org/rss", name="News")
    article = Article(
        id="a",
        feed_url=feed.url,
        url="https://news.example.org/a",
        title="Herzog visit",
        text=text,
        published=datetime(2023, 5, 28, tzinfo=UTC),
        source="News",
    )
    [stored] = store.add_articles(feed.id, [article], seen_at=datetime.now(UTC))
    store.enqueue_alerts({(1, stored.rowid): [sub.id]})
    [pending] = store.pending_alerts()
    yield pending
    store.close()


@pytest.fixture
async def explain(tmp_path):
    """The explanation the bot renders with: the matcher's, from the rules it compiled."""
    astore = AsyncStore(Store.open(tmp_path / "matcher.db"))
    yield SubscriptionMatcher(astore).explain
    await astore.aclose()


def answer(content: str) -> str:
    return json.dumps({"choices": [{"message": {"content": content}}]})


async def test_the_model_summary_is_used_with_matched_terms_in_bold(
    row, explain, httpserver: HTTPServer
):
    httpserver.expect_request("/v1/chat/completions", method="POST").respond_with_data(
        answer(MODEL_SUMMARY), content_type="application/json"
    )
    llm = LLMSummarizer(httpserver.url_for("/v1"), "tiny", api_key="k")
    alert = await render_outbox_row(row, explain=explain, llm=llm)
    assert "<b>Azerbaijan</b> to deepen ties with <b>Israel</b>. Deals are expected." in alert.text
    [request] = [r for r, _ in httpserver.log]
    assert request.headers["Authorization"] == "Bearer k"


async def test_a_failing_model_falls_back_to_the_extractive_summary(
    row, explain, httpserver: HTTPServer
):
    httpserver.expect_request("/v1/chat/completions").respond_with_data("boom", status=500)
    llm = LLMSummarizer(httpserver.url_for("/v1"), "tiny", api_key=None)
    alert = await render_outbox_row(row, explain=explain, llm=llm)
    assert "will travel to <b>Azerbaijan</b> on Tuesday" in alert.text
    assert "Deals are expected" not in alert.text


@pytest.mark.parametrize(
    ("rule", "text", "written", "bolded"),
    [
        (
            "Azerbaycan",
            "Prezident Azərbaycan səfərini başa vurdu. Danışıqlar Bakıda keçdi.",
            "The president ended his visit to Azerbaycan.",
            "to <b>Azerbaycan</b>.",
        ),
        (
            "Lodz",
            "Officials in Łódź opened the new tram line on Monday.",
            "Lodz opened a tram line.",
            "<b>Lodz</b> opened",
        ),
    ],
)
async def test_the_model_summary_bolds_the_term_in_another_spelling(
    tmp_path, httpserver: HTTPServer, explain, rule: str, text: str, written: str, bolded: str
):
    """The model may write the word without the article's ə or ł: it is still the word the
    rule matched, folded as the rule engine folds it."""
    httpserver.expect_request("/v1/chat/completions").respond_with_data(
        answer(written), content_type="application/json"
    )
    llm = LLMSummarizer(httpserver.url_for("/v1"), "tiny", api_key=None)
    for pending in stored_row(tmp_path, rule, text):
        alert = await render_outbox_row(pending, explain=explain, llm=llm)
        assert bolded in alert.text


async def test_an_alert_queued_before_its_topic_was_paused_still_says_why(row, tmp_path):
    astore = AsyncStore(Store.open(tmp_path / "matcher.db"))
    matcher = SubscriptionMatcher(astore)
    [sub] = row.subscriptions
    matcher.update([sub])
    assert matcher.match([row.article.article]) == {(1, "a"): [sub.id]}
    matcher.update([])  # paused: the index no longer holds the rule, the queued alert remains

    alert = await render_outbox_row(row, explain=matcher.explain)

    assert "Matched: Azerbaijan, Israel (text)" in alert.text
    assert "to <b>Azerbaijan</b> on Tuesday" in alert.text
    await astore.aclose()


async def test_an_alert_explains_its_match_from_the_document_made_when_it_matched(
    row, tmp_path, monkeypatch
):
    """One Document per article: the renderer reads the one the matcher made."""
    astore = AsyncStore(Store.open(tmp_path / "matcher.db"))
    matcher = SubscriptionMatcher(astore)
    matcher.update(row.subscriptions)
    made: list[str] = []
    original = matching.document

    def counted(article: Article, for_rules: Iterable[rules.Rule]) -> rules.Document:
        made.append(article.id)
        return original(article, for_rules)

    monkeypatch.setattr(matching, "document", counted)
    assert matcher.match([row.article.article]) == {(1, "a"): [row.subscriptions[0].id]}

    alert = await render_outbox_row(row, explain=matcher.explain)

    assert "Matched: Azerbaijan, Israel (text)" in alert.text
    assert made == ["a"]
    await astore.aclose()
