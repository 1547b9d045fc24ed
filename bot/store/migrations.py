"""Schema versions of the SQLite file, applied in order.

The version lives in ``meta``; every release that changes the schema appends one step here,
so a database created by any earlier release is upgraded in place on open.
"""

from __future__ import annotations

import logging

import sqlite_utils
from sqlite_utils.db import NotFoundError

logger = logging.getLogger(__name__)

SCHEMA_V1 = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE feeds (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    name TEXT,                       -- configured name; NULL means "use the feed's title"
    title TEXT,                      -- the feed's own title, learned on the first poll
    origin TEXT NOT NULL DEFAULT 'chat',   -- 'config' or 'chat'
    interval INTEGER,                -- seconds; NULL means the [polling] default
    full_text INTEGER NOT NULL DEFAULT 0,
    enabled INTEGER NOT NULL DEFAULT 1,
    etag TEXT,
    last_modified TEXT,
    ttl_minutes INTEGER,
    polls INTEGER NOT NULL DEFAULT 0,
    last_polled_at TEXT,
    last_status TEXT,                -- ok, not_modified, error, gone
    last_error TEXT,
    error_count INTEGER NOT NULL DEFAULT 0,
    next_poll_at TEXT,
    fulltext_failures INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    guid TEXT NOT NULL,
    url TEXT,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    published_at TEXT,
    seen_at TEXT NOT NULL,
    source TEXT NOT NULL,
    language TEXT,
    authors TEXT NOT NULL DEFAULT '[]',
    tags TEXT NOT NULL DEFAULT '[]',
    story_id INTEGER,
    UNIQUE (feed_id, guid)
);
CREATE UNIQUE INDEX articles_url ON articles(url) WHERE url IS NOT NULL;
CREATE INDEX articles_seen ON articles(seen_at);

CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, text, content='articles', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
END;
CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, text)
    VALUES ('delete', old.id, old.title, old.text);
END;
CREATE TRIGGER articles_au AFTER UPDATE OF title, text ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, text)
    VALUES ('delete', old.id, old.title, old.text);
    INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
END;

CREATE TABLE chats (
    id INTEGER PRIMARY KEY,          -- the Telegram chat id
    type TEXT NOT NULL DEFAULT 'private',
    title TEXT,
    timezone TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

CREATE TABLE subscriptions (
    id INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE ON UPDATE CASCADE,
    thread_id INTEGER,
    rule TEXT NOT NULL,              -- normalized form, compiles to the same rule
    canonical TEXT NOT NULL,
    paused INTEGER NOT NULL DEFAULT 0,
    alerts INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER,
    created_at TEXT NOT NULL,
    UNIQUE (chat_id, canonical)
);

-- Bumped on every change the matcher must see, so it reloads rules only when needed.
INSERT OR IGNORE INTO meta(key, value) VALUES ('subscriptions_version', '0');
CREATE TRIGGER subscriptions_ai AFTER INSERT ON subscriptions BEGIN
    UPDATE meta SET value = value + 1 WHERE key = 'subscriptions_version';
END;
CREATE TRIGGER subscriptions_ad AFTER DELETE ON subscriptions BEGIN
    UPDATE meta SET value = value + 1 WHERE key = 'subscriptions_version';
END;
CREATE TRIGGER subscriptions_au AFTER UPDATE ON subscriptions BEGIN
    UPDATE meta SET value = value + 1 WHERE key = 'subscriptions_version';
END;
CREATE TRIGGER chats_au AFTER UPDATE OF active, id ON chats BEGIN
    UPDATE meta SET value = value + 1 WHERE key = 'subscriptions_version';
END;

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE ON UPDATE CASCADE,
    thread_id INTEGER,
    article_id INTEGER NOT NULL REFERENCES articles(id),
    subscription_ids TEXT NOT NULL,  -- JSON list: every subscription of the chat it matched
    status TEXT NOT NULL DEFAULT 'pending',   -- pending, sent, failed, merged
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before TEXT,
    last_error TEXT,
    message_id INTEGER,
    story_of INTEGER REFERENCES outbox(id),   -- set on a later copy of a story already alerted
    created_at TEXT NOT NULL,
    sent_at TEXT,
    UNIQUE (chat_id, article_id)
);
CREATE INDEX outbox_status ON outbox(status, id);
"""


SCHEMA_V2 = """
-- Store.add_articles indexes a poll's articles after storing them all: FTS5 flushes pending
-- terms to a new index segment at every statement savepoint, and each article's INSERT opens
-- one, so this trigger made a segment per article (merged again later) instead of per poll.
DROP TRIGGER articles_ai;
"""


SCHEMA_V3 = """
-- How the chat sees a sent row: 'alert' (a message of its own), 'digest' (a line of a digest)
-- or 'also' (linked on the "Also:" line of its story's first alert, outbox.story_of). A row
-- is marked sent only together with the message that shows it (bot/delivery/sender.py).
ALTER TABLE outbox ADD COLUMN shown_as TEXT;
UPDATE outbox SET shown_as = CASE
    WHEN story_of IS NOT NULL THEN 'also'
    WHEN (SELECT count(*) FROM outbox AS other WHERE other.chat_id = outbox.chat_id
          AND other.message_id = outbox.message_id AND other.story_of IS NULL) > 1
        THEN 'digest'
    ELSE 'alert' END
WHERE status = 'sent';
CREATE INDEX outbox_story ON outbox(story_of) WHERE story_of IS NOT NULL;
"""


SCHEMA_V4 = """
-- Stable topic numbers and forum threads (issue 16).
-- A topic keeps the number /list showed for it as long as it exists, so "/resume 3" in an old
-- message still means the same topic: subscriptions.number is given once, as the chat's
-- chats.last_topic_number + 1, and never reused. Existing topics keep their list positions.
-- The same rule may be followed in several forum threads of a chat, and an article matching
-- topics of several threads is an alert in each: both uniques take the thread in
-- (ifnull: SQLite's UNIQUE treats NULLs, the General thread, as all different).
ALTER TABLE chats ADD COLUMN last_topic_number INTEGER NOT NULL DEFAULT 0;

ALTER TABLE subscriptions RENAME TO subscriptions_old;
CREATE TABLE subscriptions (
    id INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE ON UPDATE CASCADE,
    number INTEGER NOT NULL,         -- the number /list shows and commands take; never reused
    thread_id INTEGER,
    rule TEXT NOT NULL,              -- normalized form, compiles to the same rule
    canonical TEXT NOT NULL,
    paused INTEGER NOT NULL DEFAULT 0,
    alerts INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER,
    created_at TEXT NOT NULL
);
INSERT INTO subscriptions(id, chat_id, number, thread_id, rule, canonical, paused, alerts,
                          created_by, created_at)
SELECT id, chat_id, row_number() OVER (PARTITION BY chat_id ORDER BY id), thread_id, rule,
       canonical, paused, alerts, created_by, created_at
FROM subscriptions_old;
DROP TABLE subscriptions_old;
CREATE UNIQUE INDEX subscriptions_number ON subscriptions(chat_id, number);
CREATE UNIQUE INDEX subscriptions_rule ON subscriptions(chat_id, ifnull(thread_id, 0), canonical);
UPDATE chats SET last_topic_number =
    (SELECT count(*) FROM subscriptions WHERE subscriptions.chat_id = chats.id);
CREATE TRIGGER subscriptions_ai AFTER INSERT ON subscriptions BEGIN
    UPDATE meta SET value = value + 1 WHERE key = 'subscriptions_version';
END;
CREATE TRIGGER subscriptions_ad AFTER DELETE ON subscriptions BEGIN
    UPDATE meta SET value = value + 1 WHERE key = 'subscriptions_version';
END;
CREATE TRIGGER subscriptions_au AFTER UPDATE ON subscriptions BEGIN
    UPDATE meta SET value = value + 1 WHERE key = 'subscriptions_version';
END;
UPDATE meta SET value = value + 1 WHERE key = 'subscriptions_version';

ALTER TABLE outbox RENAME TO outbox_old;
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE ON UPDATE CASCADE,
    thread_id INTEGER,
    article_id INTEGER NOT NULL REFERENCES articles(id),
    subscription_ids TEXT NOT NULL,  -- JSON list: every subscription of the thread it matched
    status TEXT NOT NULL DEFAULT 'pending',   -- pending, sent, failed, merged
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before TEXT,
    last_error TEXT,
    message_id INTEGER,
    story_of INTEGER REFERENCES outbox(id),   -- set on a later copy of a story already alerted
    created_at TEXT NOT NULL,
    sent_at TEXT,
    shown_as TEXT
);
INSERT INTO outbox SELECT id, chat_id, thread_id, article_id, subscription_ids, status, attempts,
    not_before, last_error, message_id, story_of, created_at, sent_at, shown_as FROM outbox_old;
DROP TABLE outbox_old;
CREATE UNIQUE INDEX outbox_alert ON outbox(chat_id, ifnull(thread_id, 0), article_id);
CREATE INDEX outbox_status ON outbox(status, id);
CREATE INDEX outbox_story ON outbox(story_of) WHERE story_of IS NOT NULL;
"""

SCHEMA_V5 = """
-- How often a topic is delivered (bot/schedule.py): NULL is realtime, else e.g.
-- 'hourly', 'daily 08:00', 'weekly Mon 08:00'.
ALTER TABLE subscriptions ADD COLUMN frequency TEXT;
-- A chat's quiet hours, e.g. '22:00-07:00' or '22:00-07:00 silent'; 'off' for none, NULL for
-- the configured default.
ALTER TABLE chats ADD COLUMN quiet TEXT;
-- An outbox row that goes out in a scheduled digest (its topics' frequency, or held through
-- quiet hours): when that digest is due, and where the period it covers began. The row's
-- not_before starts at due_at (a failed send may push it later). A table of its own, so the
-- rows of alerts as they happen, nearly all of them, stay as small as they were.
CREATE TABLE outbox_due (
    outbox_id INTEGER PRIMARY KEY REFERENCES outbox(id) ON DELETE CASCADE ON UPDATE CASCADE,
    due_at TEXT NOT NULL,
    period_from TEXT NOT NULL
);
"""

SCHEMA_V6 = """
-- A rule kept for a later button press or link (bot/store/saved_rules.py): a /search, whose
-- Next, Previous and Subscribe buttons name its row, with the window it searched (since, and
-- the newest article id when it ran, so that new arrivals do not shift its pages); or a topic
-- shared with /share, whose deep link carries the token.
CREATE TABLE saved_rules (
    id INTEGER PRIMARY KEY,
    rule TEXT NOT NULL,
    chat_id INTEGER NOT NULL,
    token TEXT UNIQUE,
    since TEXT,
    up_to INTEGER,
    created_at TEXT NOT NULL
);
CREATE INDEX saved_rules_created ON saved_rules(created_at);

-- The full-text index is rebuilt over the words of each article's title, text and source as
-- the rule engine folds them (the SQL functions rule_words and rule_source, registered on
-- every connection in bot/store/connection.py): /search narrows its candidates with it, and
-- articles_fts could not serve, as unicode61 folds less than the rules (it keeps ß, ə, ø,
-- й...) and would miss articles a rule matches. The words are stored space-separated and the
-- ascii tokenizer splits at spaces only (folded words hold no ASCII punctuation), so its
-- tokens are the rules' words. Contentless: it keeps no copy of the text; rows are deleted by
-- giving the same words again ('delete', see ArticlesTable.prune_articles). Nothing updates
-- an article's title or text, so no trigger is needed.
DROP TRIGGER articles_ad;
DROP TRIGGER articles_au;
DROP TABLE articles_fts;
CREATE VIRTUAL TABLE article_words USING fts5(
    title, text, source, content='', tokenize='ascii'
);
INSERT INTO article_words(rowid, title, text, source)
    SELECT id, rule_words(title), rule_words(text), rule_source(source, url) FROM articles;
"""

SCHEMA_V7 = """
-- A chat's own aliases (/alias TERM = A, B): other names a term matches in every rule of the
-- chat. The matcher compiles rules with them, so a change bumps subscriptions_version.
CREATE TABLE chat_aliases (
    chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE ON UPDATE CASCADE,
    key TEXT NOT NULL,               -- the term folded (rules.fold_text): one entry per term
    term TEXT NOT NULL,              -- as typed
    names TEXT NOT NULL,             -- JSON list of the other names, as typed
    created_at TEXT NOT NULL,
    PRIMARY KEY (chat_id, key)
);
CREATE TRIGGER chat_aliases_ai AFTER INSERT ON chat_aliases BEGIN
    UPDATE meta SET value = value + 1 WHERE key = 'subscriptions_version';
END;
CREATE TRIGGER chat_aliases_ad AFTER DELETE ON chat_aliases BEGIN
    UPDATE meta SET value = value + 1 WHERE key = 'subscriptions_version';
END;
CREATE TRIGGER chat_aliases_au AFTER UPDATE ON chat_aliases BEGIN
    UPDATE meta SET value = value + 1 WHERE key = 'subscriptions_version';
END;
"""

SCHEMA_V8 = """
-- The language a chat reads: its /language choice (NULL: none made), and the Telegram
-- language_code of the person it belongs to (private chats: the latest seen; groups: whoever
-- registered it), used when it made no choice.
ALTER TABLE chats ADD COLUMN language TEXT;
ALTER TABLE chats ADD COLUMN telegram_language TEXT;
"""

SCHEMA_V9 = """
-- When an operator removed a feed (/removefeed, topic-alert remove-feed); NULL otherwise.
-- A feed the config file lists stays off while it is set (Store.sync_config_feeds used to
-- switch it back on at every start and CLI command); adding the feed again clears it, and so
-- does the file no longer listing it.
ALTER TABLE feeds ADD COLUMN removed_at TEXT;

-- Bumped whenever the set of feeds to poll changes, by the bot or by another process (the
-- CLI): a running daemon reads it every minute and re-reads the feeds only when it moved.
-- The polls' own updates (every feed, every few minutes) leave it alone: the WHEN clause
-- skips rows whose enabled and interval stay as they were.
INSERT OR IGNORE INTO meta(key, value) VALUES ('feeds_version', '0');
CREATE TRIGGER feeds_ai AFTER INSERT ON feeds BEGIN
    UPDATE meta SET value = value + 1 WHERE key = 'feeds_version';
END;
CREATE TRIGGER feeds_ad AFTER DELETE ON feeds BEGIN
    UPDATE meta SET value = value + 1 WHERE key = 'feeds_version';
END;
CREATE TRIGGER feeds_au AFTER UPDATE OF enabled, interval ON feeds
WHEN old.enabled IS NOT new.enabled OR old.interval IS NOT new.interval BEGIN
    UPDATE meta SET value = value + 1 WHERE key = 'feeds_version';
END;
"""

SCHEMA_V10 = """
-- When a feed's current run of failed polls began (NULL while its last poll worked), so its
-- operators can be told once it has failed for [alerts] feed_failing_after. A feed failing
-- when this step runs counts from its last poll: it has failed at least since then.
ALTER TABLE feeds ADD COLUMN failing_since TEXT;
UPDATE feeds SET failing_since = last_polled_at WHERE error_count > 0;

-- The problems the operators were told of in Telegram and not yet told are over (feeds failing
-- or gone, alerts held up, chats that removed the bot), so a restart does not tell them again.
CREATE TABLE notices (
    key TEXT PRIMARY KEY,            -- what the problem is about: 'feed-failing:12', 'backlog'
    opened_at TEXT NOT NULL
);
"""

SCHEMA_V11 = """
-- /search counts its window ("24h") by when an article was published, by when it was stored
-- for one without a date, and never by a date later than that (a feed's clock ahead): the
-- index lets a search find the oldest such date (its footer) without reading every article.
-- The expression must be written the same in every query that means to use the index.
CREATE INDEX articles_dated ON articles(min(coalesce(published_at, seen_at), seen_at));

-- The names of a forum's threads, as the service messages the bot sees say them (created,
-- renamed), so that /list names a thread rather than its number.
CREATE TABLE forum_threads (
    chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE ON UPDATE CASCADE,
    thread_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (chat_id, thread_id)
);

-- The hints a chat was given that are given once per chat ('other-language-words').
CREATE TABLE chat_hints (
    chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE ON UPDATE CASCADE,
    hint TEXT NOT NULL,
    PRIMARY KEY (chat_id, hint)
);
"""

SCHEMA_V12 = """
-- Indexes so that what a poll or a reply asks of the outbox costs the same at a thousand rows
-- or a million: the sender finds each chat's first due row without reading the
-- others (outbox_pending: pending rows only, by chat, those held for later apart), /status
-- counts what was sent lately and what waits for a digest by time, not over every row kept
-- (outbox_sent, outbox_due_at), and counts the articles without reading them.
CREATE INDEX outbox_pending ON outbox(chat_id, not_before, id) WHERE status = 'pending';
CREATE INDEX outbox_sent ON outbox(status, sent_at);
CREATE INDEX outbox_due_at ON outbox_due(due_at);
-- outbox.article_id refers to articles: without an index, SQLite checks every article deleted
-- (pruning) by reading the whole outbox, on the store's thread, polls waiting behind it.
CREATE INDEX outbox_article ON outbox(article_id);
-- How many articles are stored, for /status, kept as they come and go: count(*) reads every
-- row of the table.
INSERT OR REPLACE INTO meta(key, value) VALUES ('articles', (SELECT count(*) FROM articles));
CREATE TRIGGER articles_counted_ai AFTER INSERT ON articles BEGIN
    UPDATE meta SET value = value + 1 WHERE key = 'articles';
END;
CREATE TRIGGER articles_counted_ad AFTER DELETE ON articles BEGIN
    UPDATE meta SET value = value - 1 WHERE key = 'articles';
END;
"""

SCHEMA_V13 = """
-- Channels managed from a private chat (/channel): who linked which channel from which
-- private chat, and which one that chat's commands act on now (at most one selected each).
CREATE TABLE linked_channels (
    channel_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE ON UPDATE CASCADE,
    private_chat_id INTEGER NOT NULL,
    linked_by INTEGER NOT NULL,       -- the user id of who linked it
    username TEXT,                    -- the channel's @name when it has one (public)
    selected INTEGER NOT NULL DEFAULT 0,
    linked_at TEXT NOT NULL,
    PRIMARY KEY (channel_id, private_chat_id)
);
CREATE INDEX linked_channels_private ON linked_channels(private_chat_id);
"""

SCHEMA_V14 = """
-- Surge alerts (issue 27): a topic with /surge on (or @surge at subscribe) gets one message
-- when its stories of the last hour run far above its usual hourly rate (bot/ingest/surges.py).
ALTER TABLE subscriptions ADD COLUMN surge INTEGER NOT NULL DEFAULT 0;

-- One row per story a topic matched (an outbox row that is not a copy of a story), at the
-- poll's time: what a topic's rate is counted from, one index range per topic, without
-- reading the outbox's JSON lists of subscriptions. Kept for the week the rate covers
-- (Store.prune_topic_stories); rows of the week before this step come from the outbox.
CREATE TABLE topic_stories (
    subscription_id INTEGER NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    outbox_id INTEGER NOT NULL,
    PRIMARY KEY (subscription_id, at, outbox_id)
) WITHOUT ROWID;
CREATE INDEX topic_stories_at ON topic_stories(at);
INSERT OR IGNORE INTO topic_stories(subscription_id, at, outbox_id)
    SELECT topic.value, outbox.created_at, outbox.id
    FROM outbox, json_each(outbox.subscription_ids) AS topic
    WHERE outbox.story_of IS NULL AND topic.value IN (SELECT id FROM subscriptions);

-- A surge rides the outbox as a row of its own (surge = 1) naming the surging topic and, as
-- its article, its top story; quiet hours, retries and recording treat it as any alert. Its
-- figures and top stories, as they were when it was found, are kept beside it, and a topic's
-- latest one starts its cool-down. The top story already has an alert row in the chat, so
-- the unique index of alerts leaves surge rows out.
ALTER TABLE outbox ADD COLUMN surge INTEGER NOT NULL DEFAULT 0;
DROP INDEX outbox_alert;
CREATE UNIQUE INDEX outbox_alert ON outbox(chat_id, ifnull(thread_id, 0), article_id)
    WHERE NOT surge;
CREATE TABLE surges (
    outbox_id INTEGER PRIMARY KEY REFERENCES outbox(id) ON DELETE CASCADE,
    subscription_id INTEGER NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
    at TEXT NOT NULL,                -- when it was found (the poll's time)
    stories INTEGER NOT NULL,        -- stories of the hour before
    usual REAL NOT NULL,             -- stories an hour before that, on average
    history_hours REAL NOT NULL,     -- hours the average covers (168: the whole week before)
    top TEXT NOT NULL                -- JSON list of [title, url, outlets], most outlets first
);
CREATE INDEX surges_topic ON surges(subscription_id, at);
"""

SCHEMA_V15 = """
-- Sources beyond RSS (bot/sources.py): how a feed is read ('feed', 'telegram', 'page'), and a
-- page's CSS selectors as JSON (PageSelectors).
ALTER TABLE feeds ADD COLUMN kind TEXT NOT NULL DEFAULT 'feed';
ALTER TABLE feeds ADD COLUMN selectors TEXT;
"""

SCHEMA_V16 = """
-- Translated alerts: an article's title and summary in one chat language, written once and
-- read by every chat in that language (one translator call for all of them); gone with the
-- article. chats.translate is the chat's /translate choice (NULL: [translate] by_default).
CREATE TABLE translations (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    language TEXT NOT NULL,
    source_language TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (article_id, language)
) WITHOUT ROWID;
ALTER TABLE chats ADD COLUMN translate INTEGER;
"""

SCHEMA_V17 = """
-- News searches (bot/news_search.py): a search feed is a feeds row of origin 'search' and the
-- query it asks, shared by the topics with the same query (in any case: searches ignore it,
-- "key" is the query case-folded), language and region.
CREATE TABLE search_feeds (
    feed_id INTEGER PRIMARY KEY REFERENCES feeds(id) ON DELETE CASCADE,
    query TEXT NOT NULL,
    key TEXT NOT NULL,
    language TEXT NOT NULL,
    region TEXT NOT NULL,
    UNIQUE (key, language, region)
);
-- Which topic uses which search, and the topic's rule when it was linked: a changed rule is
-- linked anew. A topic that goes takes its link with it.
CREATE TABLE search_topics (
    subscription_id INTEGER PRIMARY KEY REFERENCES subscriptions(id) ON DELETE CASCADE,
    feed_id INTEGER NOT NULL REFERENCES search_feeds(feed_id) ON DELETE CASCADE,
    rule TEXT NOT NULL
);
CREATE INDEX search_topics_feed ON search_topics(feed_id);
"""

SCHEMA_V18 = """
-- Feeds that chats bring (/addfeed by anyone, an OPML document): one feeds row per URL
-- (origin 'private'), polled once, and here the chats that added it. Its articles are matched
-- and searched only for these chats; a feed of any other origin is shared by all.
CREATE TABLE feed_readers (
    feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE ON UPDATE CASCADE,
    added_at TEXT NOT NULL,
    PRIMARY KEY (feed_id, chat_id)
);
CREATE INDEX feed_readers_chat ON feed_readers(chat_id);

-- A chat's /addfeed waiting for an operator's Approve or Refuse ([access] chat_feeds =
-- "approval"): the address was checked (fetched once) before it was asked for.
CREATE TABLE feed_requests (
    id INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE ON UPDATE CASCADE,
    url TEXT NOT NULL,
    title TEXT,
    selectors TEXT,                  -- a page's CSS selectors as JSON (bot.sources.PageSelectors)
    requested_at TEXT NOT NULL
);
"""

MIGRATIONS: list[str] = [
    SCHEMA_V1,
    SCHEMA_V2,
    SCHEMA_V3,
    SCHEMA_V4,
    SCHEMA_V5,
    SCHEMA_V6,
    SCHEMA_V7,
    SCHEMA_V8,
    SCHEMA_V9,
    SCHEMA_V10,
    SCHEMA_V11,
    SCHEMA_V12,
    SCHEMA_V13,
    SCHEMA_V14,
    SCHEMA_V15,
    SCHEMA_V16,
    SCHEMA_V17,
    SCHEMA_V18,
]
"""MIGRATIONS[n] is the SQL script that upgrades a database at version n to version n + 1."""


def current_version(db: sqlite_utils.Database) -> int:
    """The version in ``meta``; 0 for a new file (or one older than ``meta``)."""
    meta = db.table("meta")
    if not meta.exists():
        return 0
    try:
        return int(meta.get("schema_version")["value"])
    except NotFoundError:
        return 0


def migrate(db: sqlite_utils.Database) -> int:
    """Bring the database to the latest version, one transaction per step.

    The steps are SQL scripts, kept as released: a file at any version must end up with the
    schema a new file gets, and sqlite-utils' ``create``/``transform`` would write other DDL
    (no ``ON DELETE CASCADE``, no FTS5 options or triggers) than the scripts of old releases.
    """
    version = current_version(db)
    if version > len(MIGRATIONS):
        raise RuntimeError(
            f"database schema version {version} is newer than this program knows "
            f"({len(MIGRATIONS)}); upgrade topic-alert"
        )
    for step in range(version, len(MIGRATIONS)):
        logger.info("migrating database schema to version %d", step + 1)
        script = (
            f"BEGIN;\n{MIGRATIONS[step]}\n"
            f"INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', '{step + 1}');\n"
            "COMMIT;"
        )
        try:
            db.conn.executescript(script)
        except BaseException:
            if db.conn.in_transaction:
                db.conn.rollback()
            raise
    return len(MIGRATIONS)
