"""Fixed wording of the bot, in Telegram HTML, written in English and translated where used.

Constants are marked with ``N_`` and go through ``_`` where they are sent (other modules read
some of them); texts with parts filled in are functions. The /help cheat sheet mirrors the one
in docs/rules.md; change both together.
"""

from __future__ import annotations

from bot.i18n import N_, _, format_number
from bot.matching import LOOKBACK_DAYS
from bot.store.health import FaultKind, StorageHealth

COMMANDS: tuple[tuple[str, str], ...] = (
    ("subscribe", N_("Follow a topic: /subscribe Israel + Azerbaijan")),
    ("list", N_("Your topics, numbered")),
    ("unsubscribe", N_("Stop following: /unsubscribe 2")),
    ("pause", N_("Pause one topic (/pause 2) or all")),
    ("resume", N_("Resume one topic (/resume 2) or all")),
    ("preview", N_("Recent articles a rule matches, without following it")),
    ("search", N_("Every stored article a rule matches: /search Herzog 7d")),
    ("share", N_("A link that offers one of your topics: /share 2")),
    ("feeds", N_("The news sources being watched")),
    # TRANSLATORS: keep: URL
    ("addfeed", N_("Add a feed of this chat's own: /addfeed URL")),
    # TRANSLATORS: keep: N
    ("removefeed", N_("Remove a feed of this chat's own: /removefeed N")),
    # TRANSLATORS: keep: OPML
    ("export", N_("This chat's feeds as OPML; /export topics: its topics")),
    ("import", N_("Follow the topics of an exported file (answer it)")),
    ("timezone", N_("Set the time zone for dates: /timezone Europe/Berlin")),
    ("language", N_("The language I write in: /language ru")),
    ("translate", N_("Articles in other languages translated: /translate on")),
    ("frequency", N_("How often a topic comes: /frequency 2 daily 08:00")),
    ("quiet", N_("Quiet hours: /quiet 22:00-07:00, /quiet off")),
    ("surge", N_("Tell me when a topic surges: /surge 2 on")),
    ("alias", N_("Other names of a term: /alias Eli Cohen = אלי כהן")),
    ("channel", N_("Post a channel's alerts: /channel @name, /channel off")),
    ("whoami", N_("Your Telegram user id, and this chat's")),
    ("help", N_("How to write a topic rule")),
)
"""The public commands, as shown in Telegram's command menu (setMyCommands), one menu per
language: translate the descriptions with ``_`` where the menu is made."""

ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (
    ("status", N_("Feeds, chats and delivery at a glance")),
)
"""Shown in the menu of the operators' private chats only."""


def rule_cheat_sheet() -> str:
    """How to write a rule, for /help and the welcome; the examples stay as written."""
    return _(
        "<b>Writing a topic rule</b>\n"
        "<code>Israel Azerbaijan</code> or <code>Israel + Azerbaijan</code> — both words\n"
        "<code>Israel | Iran</code> or <code>Israel, Iran</code> — either word\n"
        "<code>Azerbaijan -football</code> — leave out articles with a word\n"
        "<code>\"Eli Cohen\"</code> or <code>'Eli Cohen'</code> — the exact phrase\n"
        "<code>Azer*</code> — any word starting with Azer\n"
        "<code>Azerbaijan</code> also finds Азербайджан, אזרבייג׳ן, Azərbaycan… (countries in "
        "other languages); <code>=Azerbaijan</code> — only the word as written\n"
        "<code>Israel lang:ru</code> · <code>Israel -lang:en</code> — only, or not, articles "
        "in a language\n"
        "<code>(Israel | Iran) + Azerbaijan</code> — group with brackets; + binds tighter "
        "than |\n"
        "<code>title:Azerbaijan</code> — only in the headline (also <code>text:</code>, "
        "<code>source:</code>)\n"
        "AND, OR and NOT work too. Case and accents do not matter."
    )


def help_sections(
    *, operator: bool = False, news_search: bool = False, chat_feeds: bool = True
) -> list[str]:
    """The /help reply's paragraphs: the commands, the cheat sheet, and how topics behave; with
    ``chat_feeds`` (``[access] chat_feeds`` lets chats bring feeds), how to bring them and move
    topics; with ``[sources] news_search``, that topics are searched too; for an operator
    (``[access] admins``), also the commands only operators have."""
    # TRANSLATORS: keep: N
    text = _(
        "I watch news feeds and send you the articles that match your topics.\n"
        "\n"
        "<b>Commands</b>\n"
        "/subscribe <i>rule</i> — follow a topic (also /sub, /add)\n"
        "/cancel — stop a /subscribe that is waiting for its rule\n"
        "/list — your topics with their numbers\n"
        "/unsubscribe <i>N or rule</i> — stop following (also /unsub, /remove)\n"
        "/pause [<i>N</i>] · /resume [<i>N</i>] — one topic, or all without a number\n"
        "/preview <i>rule</i> — articles of the last {days} days a rule would have sent, "
        "without following it\n"
        "/search <i>rule</i> [<i>7d</i>] — every stored article a rule matches, five a page, "
        "optionally only the last 24h, 7d, 2w…\n"
        "/share <i>N</i> — a link that lets anyone follow your topic N in one tap\n"
        "/feeds — the sources I read\n"
        "/timezone <i>Area/City</i> — the time zone for dates and schedules\n"
        "/language — the language I write in here, with a button for each\n"
        "/frequency <i>N how-often</i> — a topic as it happens (<code>realtime</code>, the "
        "default), or as a digest: <code>hourly</code>, <code>daily 08:00</code>, "
        "<code>weekly Mon 08:00</code>\n"
        "/quiet <i>22:00-07:00</i> [<code>silent</code>] · /quiet off — hold alerts (or their "
        "sound) at night; held alerts come as one digest when quiet hours end\n"
        "/surge <i>N</i> <code>on</code> · /surge <i>N</i> <code>off</code> — one message when "
        "topic N suddenly has far more stories an hour than usual, with its top stories\n"
        "/alias <i>term</i> = <i>name, name</i> — other names a term matches in every topic "
        "here; /alias lists them, /alias -<i>term</i> removes them\n"
        "/whoami — your Telegram user id and this chat's, and whether you run this bot\n"
        "\n"
        "{cheat_sheet}\n"
        "\n"
        "A topic keeps its number while it exists. Under an alert, Mute pauses its topic and "
        "Unsubscribe drops it; an alert for several topics asks which one, with a button for "
        "each.\n"
        "End /subscribe with how often to get a digest instead of every alert: "
        "<code>/subscribe Azerbaijan @daily 08:00</code> (to search for the word itself, quote "
        'it: <code>"@daily"</code>); end it with <code>@surge</code> to turn surge alerts on.\n'
        "\n"
        "In groups, only administrators change the topics; a topic made in a forum thread "
        "posts into that thread. Invisible characters (zero-width spaces, direction marks) are "
        "removed from rules, and I say so."
    ).format(days=format_number(LOOKBACK_DAYS), cheat_sheet=rule_cheat_sheet())
    parts = [text]
    if chat_feeds or operator:
        parts.append(f"{own_feeds_help()}\n{addfeed_forms()}")
    parts += [channel_help(), translate_help()]
    if news_search:
        parts.append(
            _(
                "I also search the news for each topic, in your language: a rule of words, "
                "phrases, | and -word becomes a search, and /feeds lists your topics' searches. "
                "Rules with title:, text:, source:, lang: or Azer* are not searched."
            )
        )
    if operator:
        parts.append(operator_help())
    return parts


def own_feeds_help() -> str:
    """How a chat brings feeds of its own and moves its feeds and topics elsewhere."""
    # TRANSLATORS: keep: URL, N, OPML
    return _(
        "<b>This chat's own feeds</b>\n"
        "/addfeed <i>URL</i> — add a feed (or a site that links one) for this chat alone: "
        "its articles are matched against this chat's topics only, and no other chat sees "
        "them\n"
        "/removefeed <i>N</i> — remove feed N of /feeds\n"
        "Send me an OPML file to add the feeds it lists; /export sends this chat's feeds as "
        "one\n"
        "/export topics — this chat's topics as a file; /import (as the file's caption, or "
        "answering it) follows them here or on another bot"
    )


def channel_help() -> str:
    """How to have a channel's topics posted there, managed from the private chat."""
    text = _(
        "<b>Channels</b>\n"
        "Add me to your channel as an administrator allowed to post messages, then send me "
        "<code>/channel @name</code> here in private (or forward me a post of the channel). "
        "Until <code>/channel off</code>, /subscribe, /list, /unsubscribe, /pause, /resume, "
        "/frequency, /quiet, /language and /timezone act on the channel, and I post its alerts "
        "there, without buttons. /channel alone lists your channels."
    )
    remove = _(
        "<code>/channel remove @name</code> stops managing a channel; when no one manages it "
        "any more, its topics pause and I post nothing there until it is linked again."
    )
    return f"{text}\n{remove}"


def translate_help() -> str:
    """/translate under /help: a paragraph of its own, so the commands' list is not changed."""
    return _(
        "/translate on · /translate off — articles written in another language shown "
        "translated into the language I write in here (when this bot has a translator), with "
        "the original title below"
    )


def operator_help() -> str:
    """The operators' commands, shown under /help to the people in ``[access] admins`` only."""
    # TRANSLATORS: keep: URL, N
    return _(
        "<b>Commands for the operators of this bot</b>\n"
        "/addfeed <i>URL</i> — add a news source every chat shares (a feed, or a site that "
        "links one); /addfeed private <i>URL</i> adds it for this chat alone\n"
        "/removefeed <i>N</i> — remove source N of /feeds, shared or this chat's own\n"
        "/status — feeds, chats and delivery at a glance"
    )


def addfeed_forms() -> str:
    """The sources /addfeed takes besides feeds (``bot.telegram.source_argument``)."""
    # TRANSLATORS: keep: NAME, CSS (and the commands, addresses, css:, title:, link:, date:)
    return _(
        "/addfeed also takes a public Telegram channel (<code>@NAME</code> or "
        "<code>https://t.me/NAME</code>) and a page without a feed, with the CSS selector of "
        "its articles: <code>/addfeed https://example.org/news css:article.item</code>, "
        "optionally followed by <code>title:</code>, <code>link:</code> and <code>date:</code> "
        "selectors."
    )


def welcome() -> str:
    """The /start reply to a new chat."""
    return _(
        "Hello! Tell me a topic and I will send you new articles about it as they appear.\n"
        "Try <code>/subscribe Israel + Azerbaijan</code> or see /help.\n"
        "\n"
        "{cheat_sheet}"
    ).format(cheat_sheet=rule_cheat_sheet())


WELCOME_BACK = N_("Welcome back! Alerts are on again for your topics; /list shows them.")

ASK_FOR_RULE = N_(
    "Which topic should I follow? Send the rule as your next message, "
    "e.g. <code>Israel + Azerbaijan</code>. /cancel to stop."
)
CANCELLED = N_("OK, nothing changed.")
RULE_HINT = N_("Words join with + (all), | (any) and - (leave out); quote phrases. See /help.")
PRIVATE_TEXT_HINT = N_(
    "To follow a topic, send <code>/subscribe</code> and the rule; /help explains rules."
)

NOT_ALLOWED = N_("Sorry, this is a private bot and you are not on its list of users.")
NOT_ALLOWED_SHORT = N_("Sorry, this bot is private.")
ADMINS_ONLY = N_("Only this group's administrators can change what it follows.")
LANGUAGE_ADMINS_ONLY = N_(
    "Only this group's administrators can change the language I write in here."
)
"""/language in a group, refused to a member: it changes no topic, so ``ADMINS_ONLY`` would
not say what was refused."""
BOT_ADMINS_ONLY = N_("Only the operators of this bot can do that.")
SOMETHING_WENT_WRONG = N_("Something went wrong on my side; please try again in a minute.")


FAULT_REASONS = {
    FaultKind.FULL: N_("the disk is full"),
    FaultKind.LOCKED: N_("the database is locked by another program"),
    FaultKind.READ_ONLY: N_("the database is read-only"),
    FaultKind.IO: N_("the disk reported an error"),
    FaultKind.CORRUPT: N_("the database is damaged"),
    FaultKind.CANT_OPEN: N_("the database cannot be opened"),
}
"""A database fault in a few words for a chat, without what to do (the operator's log has
that, in English: ``bot.store.health``)."""


def fault_reason(kind: FaultKind) -> str:
    """ "the disk is full", in the language of the chat at hand."""
    return _(FAULT_REASONS[kind])


def cannot_save(kind: FaultKind) -> str:
    """The answer to a command the database could not carry out ("the disk is full")."""
    return _("I can't save that right now: {reason}. Try again later.").format(
        reason=fault_reason(kind)
    )


def storage_state(health: StorageHealth) -> str:
    """What ``/status`` says of the storage: "ok", or the fault, since when, and that polling
    waits."""
    if health.fault is None or health.since is None:
        # TRANSLATORS: /status, "Storage: ok": the database works.
        return _("ok")
    return _("{reason} (since {time} UTC); polling waits until it can store again").format(
        reason=fault_reason(health.fault.kind), time=f"{health.since:%H:%M}"
    )


NO_SUBSCRIPTIONS = N_("You follow no topics yet. Try <code>/subscribe Israel + Azerbaijan</code>.")
SLOW_DOWN = N_(
    "You are sending commands faster than I answer them: at most {limit} a minute. "
    "I will answer again in {seconds} s; what you send until then is ignored."
)
"""Plain text (it is also a button's pop-up answer), under Telegram's 200 characters for those
in every language."""
UNKNOWN_COMMAND = N_("Unknown command — see /help.")
BUTTON_NO_LONGER_VALID = N_("This button is no longer valid.")
