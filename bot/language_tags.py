"""One reading of language tags, whoever wrote them: a feed's ``<language>``, a page's
``lang=``, a Telegram app's ``language_code``, what someone typed after /language.

They come as "en-US", "en_us", " EN " or "pt-BR"; what the bot compares is one spelling of the
whole tag ("pt-br", for the catalogs that have regional variants) or its primary subtag ("pt":
``lang:`` terms, the languages the bot speaks).
"""

from __future__ import annotations


def normalized_tag(tag: str | None) -> str | None:
    """``tag`` in one spelling: "en_US " → "en-us"; None when there is none."""
    spelled = (tag or "").strip().replace("_", "-").lower()
    return spelled or None


def primary_subtag(tag: str | None) -> str | None:
    """The language of ``tag`` without region or script: "en-US" → "en"; None when the tag
    does not start with letters (a garbled declaration names no language)."""
    spelled = normalized_tag(tag)
    primary = spelled.split("-", 1)[0].strip() if spelled else ""
    return primary if primary.isascii() and primary.isalpha() else None
