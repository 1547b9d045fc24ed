"""Fixed wording of the bot, in Telegram HTML.

The /help cheat sheet mirrors the one in docs/rules.md; change both together.
"""

from __future__ import annotations

from bot.matching import LOOKBACK_DAYS

COMMANDS: tuple[tuple[str, str], ...] = (
    ("subscribe", "Follow a topic: /subscribe Israel + Azerbaijan"),
    ("list", "Your topics, numbered"),
    ("unsubscribe", "Stop following: /unsubscribe 2"),
    ("pause", "Pause one topic (/pause 2) or all"),
    ("resume", "Resume one topic (/resume 2) or all"),
    ("preview", "Recent articles a rule matches, without following it"),
    ("search", "Every stored article a rule matches: /search Herzog 7d"),
    ("share", "A link that offers one of your topics: /share 2"),
    ("feeds", "The news sources being watched"),
    ("timezone", "Set the time zone for dates: /timezone Europe/Berlin"),
    ("language", "The language I write in: /language ru"),
    ("frequency", "How often a topic comes: /frequency 2 daily 08:00"),
    ("quiet", "Quiet hours: /quiet 22:00-07:00, /quiet off"),
    ("alias", "Other names of a term: /alias Eli Cohen = אלי כהן"),
    ("help", "How to write a topic rule"),
)
"""The public commands, as shown in Telegram's command menu (setMyCommands)."""

ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (
    ("addfeed", "Add a news source: /addfeed URL"),
    ("removefeed", "Remove a news source: /removefeed N"),
    ("status", "Feeds, chats and delivery at a glance"),
)
"""Shown in the menu of the operators' private chats only."""

RULE_CHEAT_SHEET = """\
<b>Writing a topic rule</b>
<code>Israel Azerbaijan</code> or <code>Israel + Azerbaijan</code> — both words
<code>Israel | Iran</code> or <code>Israel, Iran</code> — either word
<code>Azerbaijan -football</code> — leave out articles with a word
<code>"Eli Cohen"</code> or <code>'Eli Cohen'</code> — the exact phrase
<code>Azer*</code> — any word starting with Azer
<code>Azerbaijan</code> also finds Азербайджан, אזרבייג׳ן, Azərbaycan… (countries in other \
languages); <code>=Azerbaijan</code> — only the word as written
<code>Israel lang:ru</code> · <code>Israel -lang:en</code> — only, or not, articles in a \
language
<code>(Israel | Iran) + Azerbaijan</code> — group with brackets; + binds tighter than |
<code>title:Azerbaijan</code> — only in the headline (also <code>text:</code>, \
<code>source:</code>)
AND, OR and NOT work too. Case and accents do not matter."""

HELP = f"""\
I watch news feeds and send you the articles that match your topics.

<b>Commands</b>
/subscribe <i>rule</i> — follow a topic (also /sub, /add)
/list — your topics with their numbers
/unsubscribe <i>N or rule</i> — stop following (also /unsub, /remove)
/pause [<i>N</i>] · /resume [<i>N</i>] — one topic, or all without a number
/preview <i>rule</i> — articles of the last {LOOKBACK_DAYS} days a rule would have sent, \
without following it
/search <i>rule</i> [<i>7d</i>] — every stored article a rule matches, five a page, \
optionally only the last 24h, 7d, 2w…
/share <i>N</i> — a link that lets anyone follow your topic N in one tap
/feeds — the sources I read
/timezone <i>Area/City</i> — the time zone for dates and schedules
/frequency <i>N how-often</i> — a topic as it happens (<code>realtime</code>, the default), \
or as a digest: <code>hourly</code>, <code>daily 08:00</code>, <code>weekly Mon 08:00</code>
/quiet <i>22:00-07:00</i> [<code>silent</code>] · /quiet off — hold alerts (or their sound) \
at night; held alerts come as one digest when quiet hours end
/alias <i>term</i> = <i>name, name</i> — other names a term matches in every topic here; \
/alias lists them, /alias -<i>term</i> removes them

{RULE_CHEAT_SHEET}

A topic keeps its number while it exists. Under an alert, Mute pauses its topic and \
Unsubscribe drops it; an alert for several topics asks which one, with a button for each.
End /subscribe with how often to get a digest instead of every alert: \
<code>/subscribe Azerbaijan @daily 08:00</code> (to search for the word itself, quote it: \
<code>"@daily"</code>).

In groups, only administrators change the topics; a topic made in a forum thread \
posts into that thread. Invisible characters (zero-width spaces, direction marks) are \
removed from rules, and I say so."""

WELCOME = f"""\
Hello! Tell me a topic and I will send you new articles about it as they appear.
Try <code>/subscribe Israel + Azerbaijan</code> or see /help.

{RULE_CHEAT_SHEET}"""

WELCOME_BACK = "Welcome back! Alerts are on again for your topics; /list shows them."

ASK_FOR_RULE = (
    "Which topic should I follow? Send the rule as your next message, "
    "e.g. <code>Israel + Azerbaijan</code>. /cancel to stop."
)
CANCELLED = "OK, nothing changed."
RULE_HINT = "Words join with + (all), | (any) and - (leave out); quote phrases. See /help."
PRIVATE_TEXT_HINT = (
    "To follow a topic, send <code>/subscribe</code> and the rule; /help explains rules."
)

NOT_ALLOWED = "Sorry, this is a private bot and you are not on its list of users."
NOT_ALLOWED_SHORT = "Sorry, this bot is private."
ADMINS_ONLY = "Only this group's administrators can change what it follows."
BOT_ADMINS_ONLY = "Only the operators of this bot can do that."
SOMETHING_WENT_WRONG = "Something went wrong on my side; please try again in a minute."


def storage_fault(reason: str) -> str:
    """The answer to a command the database could not carry out ("the disk is full")."""
    return f"I can't save that right now: {reason}. Try again later."


NO_SUBSCRIPTIONS = "You follow no topics yet. Try <code>/subscribe Israel + Azerbaijan</code>."
SLOW_DOWN = (
    "You are sending commands faster than I answer them: at most {limit} a minute. "
    "I will answer again in {seconds} s; what you send until then is ignored."
)
"""Plain text (it is also a button's pop-up answer), under Telegram's 200 characters for those."""
UNKNOWN_COMMAND = "Unknown command — see /help."
BUTTON_NO_LONGER_VALID = "This button is no longer valid."
