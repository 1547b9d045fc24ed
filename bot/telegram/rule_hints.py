"""What a /subscribe confirmation adds when the topic just followed will likely surprise later:
a topic of the chat that means the same under other names (``Israel + Azerbaijan`` next to
``Израиль + Азербайджан``), and, once per chat, words in another language than most articles
the bot reads, which only place names cross (``Иран | Армения -футбол`` lets an English
football article through).

The language is judged by script: a word's letters against those of recent titles. It cannot
tell English from German, but it tells the case people trip on, a rule typed in the alphabet
of the app's language over feeds in another one, without guessing a language from one word.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from datetime import timedelta

import rules
from bot.clock import utcnow
from bot.compiling import RuleNames
from bot.i18n import _, isolate
from bot.markup import esc
from bot.matching import LOOKBACK_DAYS
from bot.store import AsyncStore, SubscriptionRow
from bot.telegram.topics import numbered
from rules.nodes import LANGUAGE_MARK, all_terms

TITLES_READ = 500
"""Recent titles whose letters tell which script most articles are written in."""
OTHER_LANGUAGE = "other-language-words"
"""The key of the once-per-chat hint about words in another language (``chat_hints``)."""


async def rule_hints(
    store: AsyncStore, names: RuleNames, sub: SubscriptionRow, rule: rules.Rule
) -> list[str]:
    """The hints for following ``rule`` (compiled with the chat's ``names``) as ``sub``."""
    found = [
        await _same_meaning(store, names, sub, rule),
        await _other_language(store, names, sub.chat_id, rule),
    ]
    return [line for line in found if line]


async def _same_meaning(
    store: AsyncStore, names: RuleNames, sub: SubscriptionRow, rule: rules.Rule
) -> str | None:
    """A topic of the same thread that matches what ``rule`` matches under other names."""
    for other in await store.list_subscriptions(sub.chat_id):
        if other.id == sub.id or other.thread_id != sub.thread_id:
            continue
        try:
            same = names.compile(other.rule).meaning == rule.meaning
        except rules.RuleSyntaxError:  # stored by an older release that read it otherwise
            continue
        if same:
            return _(
                "You already follow a topic with the same meaning: {topic}. "
                "/unsubscribe {number} removes this new one."
            ).format(topic=numbered(other), number=sub.number)
    return None


async def _other_language(
    store: AsyncStore, names: RuleNames, chat_id: int, rule: rules.Rule
) -> str | None:
    """The words of ``rule`` that no other name crosses to the script most recent articles
    are in, the first time a rule of the chat has such words."""
    words = [term.label for term in all_terms(rule.node) if not _crosses(term, names)]
    if not words:
        return None
    recent = await store.recent_articles(
        utcnow() - timedelta(days=LOOKBACK_DAYS), TITLES_READ, reader=chat_id
    )
    most = _script(" ".join(item.article.title for item in recent))
    foreign = [word for word in words if _script(word) not in (None, most)]
    if most is None or not foreign or not await store.first_hint(chat_id, OTHER_LANGUAGE):
        return None
    return _(
        "Most articles the bot reads are in another language than {words}: only place names "
        "match in every language, other words only as written."
    ).format(words=isolate(esc(", ".join(dict.fromkeys(foreign)))))


def _crosses(term: rules.nodes.Term, names: RuleNames) -> bool:
    """Whether a term matches in other languages or is no word of a language at all: a place
    name (an alias group), one with the chat's own /alias names, a source, a ``lang:``."""
    chat_named = names.chat is not None and names.chat.group_of(term.words) is not None
    own_word = term.field != "source" and not term.words[0].startswith(LANGUAGE_MARK)
    return term.group is not None or chat_named or not own_word


def _script(text: str) -> str | None:
    """The script most letters of ``text`` are in ("LATIN", "CYRILLIC"...); None for none."""
    scripts = Counter(unicodedata.name(char, "?").split()[0] for char in text if char.isalpha())
    return scripts.most_common(1)[0][0] if scripts else None
