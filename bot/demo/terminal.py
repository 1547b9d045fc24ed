"""Show Telegram HTML in a terminal the way a chat would: bold stays bold, links show URLs.

The demo prints the very text the bot would send, so what you read in the terminal is what
a chat receives; only the styling is translated.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Sequence
from html.parser import HTMLParser

BOLD, UNDERLINE, RESET = "\033[1m", "\033[4m", "\033[0m"
STYLES = {"b": BOLD, "strong": BOLD, "u": UNDERLINE}
"""ANSI for the tags a terminal can show: the spot a rule error marks is bold and underlined."""


class _TelegramHTML(HTMLParser):
    """Telegram's small HTML subset to plain text, with ANSI bold where wanted."""

    def __init__(self, color: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.color = color
        self.parts: list[str] = []
        self.hrefs: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in STYLES and self.color:
            self.parts.append(STYLES[tag])
        elif tag == "a":
            self.hrefs.append(dict(attrs).get("href"))

    def handle_endtag(self, tag: str) -> None:
        if tag in STYLES and self.color:
            self.parts.append(RESET)
        elif tag == "a" and self.hrefs:
            href = self.hrefs.pop()
            if href:
                self.parts.append(f" <{href}>")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_terminal(text: str, *, color: bool) -> str:
    parser = _TelegramHTML(color)
    parser.feed(text)
    parser.close()
    return "".join(parser.parts)


def chat_bubble(text: str, *, buttons: Sequence[str] = (), color: bool) -> str:
    """One message as a framed block, wrapped to the terminal width between words only: a
    URL stays whole on its line (longer than the frame if need be), so it can be copied."""
    width = min(shutil.get_terminal_size((100, 24)).columns, 100) - 4
    lines: list[str] = []
    for paragraph in html_to_terminal(text, color=color).split("\n"):
        wrapped = textwrap.wrap(paragraph, width, break_long_words=False, break_on_hyphens=False)
        lines.extend(wrapped or [""])
    if buttons:
        lines.append("  ".join(f"[ {label} ]" for label in buttons))
    rule = "─" * (width + 2)
    body = "\n".join(f"│ {line}" for line in lines)
    return f"┌{rule}\n{body}\n└{rule}"
