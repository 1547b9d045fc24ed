"""What writing in the chat's language costs an alert: render time per language.

Run from the repository root: ``python bench/bench_languages.py`` (needs ../shared for the
sample article). Each round renders the same alert of the sample article (summary, "Matched:"
line, date, buttons) in every language the bot speaks; it prints the median time per alert
and its ratio to English, the source language, which needs no catalog. The first use of a
language compiles its catalog (Babel) once; that cost is printed apart.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

import rules  # noqa: E402
from bot.article import Article  # noqa: E402
from bot.delivery.buttons import topic_buttons  # noqa: E402
from bot.delivery.format import format_alert  # noqa: E402
from bot.i18n import LANGUAGES, use  # noqa: E402
from bot.i18n.catalogs import translations  # noqa: E402
from bot.matching import document  # noqa: E402
from bot.summary import matched_line, summarize  # noqa: E402

SAMPLE = ROOT.parent / "shared" / "samples" / "jpost-herzog-azerbaijan-2023-05-28.txt"
RULE = "Israel + Azerbaijan"
ROUNDS = 2000


def render_once(article: Article, rule: rules.Rule) -> str:
    hits = rule.explain(document(article, [rule]))
    summary = summarize(article.title, article.text, hits, max_chars=400)
    alert = format_alert(
        article,
        summary,
        topics=[RULE],
        matched=matched_line(hits),
        tz=ZoneInfo("Asia/Jerusalem"),
        buttons=topic_buttons(1, [1]),
    )
    return alert.text


def main() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    title, _, body = text.partition("\n")
    article = Article(
        id="sample",
        feed_url="https://example.org/feed.xml",
        url="https://example.org/herzog",
        title=title.strip(),
        text=body.strip(),
        published=datetime(2023, 5, 28, 11, 20, tzinfo=UTC),
        source="The Jerusalem Post",
    )
    rule = rules.compile(RULE)
    print(f"{'language':<9}{'catalog load ms':>17}{'µs per alert':>15}{'× en':>7}")
    english = 0.0
    for language in LANGUAGES:
        started = time.perf_counter()
        translations(language)
        loaded = (time.perf_counter() - started) * 1000
        times = []
        with use(language):
            for _ in range(ROUNDS):
                started = time.perf_counter()
                render_once(article, rule)
                times.append(time.perf_counter() - started)
        median = statistics.median(times) * 1e6
        english = english or median
        print(f"{language:<9}{loaded:>17.1f}{median:>15.1f}{median / english:>7.2f}")


if __name__ == "__main__":
    main()
