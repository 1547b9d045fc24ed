"""``topic-alert search`` over a real config and database."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.article import Article
from bot.cli import main
from bot.store import Store

NOW = datetime.now(UTC).replace(microsecond=0)


def write_config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[storage]\npath = "{tmp_path / "bot.db"}"\nretention_days = 45\n')
    return path


def fill(tmp_path: Path, *titles_and_ages: tuple[str, int]) -> None:
    """Store one article per (title, days ago), in the order given."""
    store = Store.open(tmp_path / "bot.db")
    feed = store.add_feed("https://news.example.org/feed.xml", name="Example News")
    for n, (title, age) in enumerate(titles_and_ages):
        seen = NOW - timedelta(days=age)
        article = Article(
            id=f"a{n}",
            feed_url=feed.url,
            url=f"https://news.example.org/{n}",
            title=title,
            text="",
            published=seen,
            source="Example News",
        )
        store.add_articles(feed.id, [article], seen_at=seen)
    store.close()


def test_search_prints_matches_latest_first_with_why(tmp_path: Path, capsys) -> None:
    config = write_config(tmp_path)
    fill(tmp_path, ("Baku talks", 10), ("Weather", 2), ("Herzog in Baku", 1))

    assert main(["search", "Baku", "--config", str(config)]) == 0

    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Herzog in Baku"
    assert out[1:4] == [
        "  https://news.example.org/2",
        f"  Example News · {(NOW - timedelta(days=1)).strftime('%Y-%m-%d %H:%M UTC')}",
        "  matched: Baku [title]",
    ]
    assert out[5] == "Baku talks"
    oldest = (NOW - timedelta(days=10)).strftime("%Y-%m-%d %H:%M UTC")
    assert out[-1] == (
        f"2 articles match Baku in all stored articles; the oldest stored is from {oldest}, "
        "articles are kept 45 days"
    )


def test_search_since_limit_and_json(tmp_path: Path, capsys) -> None:
    config = write_config(tmp_path)
    fill(tmp_path, ("Baku talks", 10), ("Baku again", 3), ("Herzog in Baku", 1))

    assert main(["search", "baku", "--since", "7d", "--json", "--config", str(config)]) == 0
    week = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert main(["search", "baku", "--limit", "1", "--config", str(config)]) == 0
    limited = capsys.readouterr().out.splitlines()

    assert [record["title"] for record in week] == ["Herzog in Baku", "Baku again"]
    assert week[0]["matched"] == [{"term": "baku", "field": "title"}]  # as typed
    assert limited[0] == "Herzog in Baku"
    assert limited[-1].startswith(
        "1 article matches baku in all stored articles (there are more; raise --limit); "
        "the oldest stored is from "
    )


def test_search_refuses_a_bad_span_or_rule_on_stderr(tmp_path: Path, capsys) -> None:
    config = write_config(tmp_path)

    bad_span = main(["search", "Baku", "--since", "7x", "--config", str(config)])
    span_error = capsys.readouterr().err
    bad_rule = main(["search", "Baku + (", "--config", str(config)])
    rule_error = capsys.readouterr().err

    assert bad_span == 2
    assert span_error == (
        "topic-alert: --since '7x' is not a time span: write hours, days or weeks, "
        "like 24h, 7d or 2w\n"
    )
    assert bad_rule == 2
    assert rule_error.startswith("topic-alert: bad rule:")
    assert "^" in rule_error
