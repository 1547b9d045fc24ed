"""A chat's topics as a file: /export topics writes it, /import reads it back, here or on
another topic-alert, so a chat can move to another instance with what it follows.

The file is TOML, one ``[[topics]]`` table a topic with its rule and what else decides its
alerts (how often they come, whether it is paused): a person can read and edit it, and the
standard library reads it back.
"""

from __future__ import annotations

import json
import logging
import tomllib
from dataclasses import dataclass

from bot.compiling import UnusableRule, chat_names, typed_rule
from bot.i18n import _, format_number
from bot.schedule import ScheduleError, parse_frequency
from bot.store import DuplicateSubscription, SubscriptionLimitReached, SubscriptionRow
from bot.telegram.arguments import rule_error_message
from bot.telegram.imports import ImportReport, Kind
from bot.telegram.services import HandlerDeps

logger = logging.getLogger(__name__)

EXPORT_NAME = "topics.toml"
HEADER = (
    "# topic-alert topics. To follow them in a chat, send this file to the bot there with\n"
    "# /import as its caption, or answer the file with /import.\n"
)


class TopicsFileError(ValueError):
    """A file that is no topics file; ``str`` says why, in the chat's language."""


@dataclass(frozen=True)
class ListedTopic:
    rule: str
    frequency: str | None = None
    """As stored ('daily 08:00'); None: realtime."""
    paused: bool = False


def topics_document(subs: list[SubscriptionRow]) -> bytes:
    """The chat's topics as the file /import reads."""
    lines = [HEADER]
    for sub in subs:
        lines += ["[[topics]]", f"rule = {_toml_string(sub.rule)}"]
        if sub.frequency:
            lines.append(f"frequency = {_toml_string(sub.frequency)}")
        if sub.paused:
            lines.append("paused = true")
        lines.append("")
    return "\n".join(lines).encode()


def _toml_string(text: str) -> str:
    """``text`` as a TOML basic string: JSON's escapes are TOML's, but for DEL, which TOML
    wants escaped too."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def read_topics(data: bytes) -> list[ListedTopic]:
    """The topics of a file :func:`topics_document` wrote (or a person edited)."""
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        raise TopicsFileError(_("This is not a topics file that /export topics wrote.")) from None
    topics = document.get("topics")
    if not isinstance(topics, list) or not all(isinstance(t, dict) for t in topics):
        raise TopicsFileError(_("This is not a topics file that /export topics wrote."))
    return [
        ListedTopic(
            rule=str(topic.get("rule", "")),
            frequency=str(topic["frequency"]) if topic.get("frequency") else None,
            paused=topic.get("paused") is True,
        )
        for topic in topics
    ]


async def import_topics(
    svc: HandlerDeps, chat_id: int, listed: list[ListedTopic], created_by: int
) -> ImportReport:
    """Follow each listed topic in the chat, as /subscribe would, with its frequency and pause."""
    report = ImportReport(Kind.TOPICS)
    names = await chat_names(svc.store, svc.config, chat_id)
    for topic in listed:
        try:
            rule = typed_rule(topic.rule, names).rule
            frequency = parse_frequency(topic.frequency) if topic.frequency else None
            sub = await svc.store.add_subscription(
                chat_id,
                rule,
                created_by=created_by,
                limit=svc.config.subscriptions.max_per_chat,
                frequency=None if frequency is None or frequency.realtime else str(frequency),
            )
        except DuplicateSubscription:
            report.present += 1
            continue
        except UnusableRule as exc:
            report.refused.append((topic.rule, rule_error_message(exc.error)))
            continue
        except ScheduleError as exc:
            report.refused.append((topic.rule, str(exc)))
            continue
        except SubscriptionLimitReached as exc:
            reason = _("this chat follows the most topics it may ({count})")
            report.refused.append((topic.rule, reason.format(count=format_number(exc.limit))))
            continue
        if topic.paused:
            await svc.store.set_paused(sub.id, True)
        report.added += 1
    logger.info(
        "chat %s imported topics: %d added, %d present, %d refused",
        chat_id,
        report.added,
        report.present,
        len(report.refused),
    )
    return report
