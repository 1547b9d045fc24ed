"""The ``topic-alert`` command: try a rule on feeds, poll once, inspect and move feed lists.

Every subcommand runs on the daemon's own parts (``bot.wiring.build``: fetcher, parser, full
text, store, matcher, summary), so what ``check`` prints is what the bot would alert. Expected
failures (a bad config, an unreadable file, a broken rule) end in one line on stderr and exit
status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import logging
import os
import re
import shlex
import signal
import sqlite3
import sys
import textwrap
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path

from tqdm import tqdm

import rules
from bot import installed_version
from bot.article import Article
from bot.compiling import UnusableRule, operator_names, typed_rule
from bot.config import TOKEN_ENV, Config, ConfigError, load_config
from bot.doctor import Status, diagnose, render_table
from bot.feeds.errors import FeedParseError, FetchError, OpmlError
from bot.feeds.opml import OpmlFeed, read_opml, write_opml
from bot.feeds.probe import read_feed
from bot.i18n import LANGUAGES, SOURCE_LANGUAGE
from bot.ingest import PollResult, with_full_text
from bot.logs import configure_logging, hide, redact
from bot.markup import counted, shorten
from bot.matching import document
from bot.search import Found, SinceError, find, parse_since
from bot.store import (
    AsyncStore,
    FeedOrigin,
    FeedRow,
    PollStatus,
    Store,
    StoreError,
    StoreUnavailable,
    UnknownRow,
)
from bot.store.health import storage_fault
from bot.store.states import FAILED_POLLS
from bot.summary import summarize_article
from bot.wiring import Services, build

logger = logging.getLogger(__name__)

DEFAULT_CONFIG = "config.toml"
PROGRESS_FROM = 10
"""Polling this many feeds or more shows a progress bar."""
EXIT_ERROR = 2
EXIT_BUG = 1
EXIT_PIPE = 128 + signal.SIGPIPE
"""The status of a command whose reader left early (``topic-alert check … | head``): what a
shell reports for any Unix tool that a closed pipe ends."""
_OPTION = re.compile(r"--.*|-[vh]+")
"""What ``check`` takes as an option; any other argument starting with "-" is meant as a rule."""


class CliError(Exception):
    """An expected failure; its message is printed as it is, without a traceback."""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``topic-alert`` console script; returns the exit status."""
    args = _parse(sys.argv[1:] if argv is None else list(argv))
    # The daemon reports what it does (polls, deliveries) by default; one-shot commands
    # print their results and log only problems unless asked.
    configure_logging(args.verbose + (args.command == "run"))
    hide(os.environ.get(TOKEN_ENV))
    try:
        status: int = args.handler(args)
        sys.stdout.flush()  # a reader that left early shows here, not in the exit's own flush
        return status
    except BrokenPipeError:
        _discard_stdout()
        return EXIT_PIPE
    except (CliError, ConfigError, StoreError, OpmlError) as exc:
        print(f"topic-alert: {redact(str(exc))}", file=sys.stderr)
    except KeyboardInterrupt:
        print("topic-alert: interrupted", file=sys.stderr)
    except Exception:
        # A bug: its traceback goes through logging, whose filter keeps secrets out of it.
        logger.critical("unexpected error; please report it with this traceback", exc_info=True)
        return EXIT_BUG
    return EXIT_ERROR


def _parse(argv: list[str]) -> argparse.Namespace:
    """The command line, or argparse's usage error (exit status 2) followed by a hint when the
    mistake is a rule that starts with "-"."""
    try:
        return build_parser().parse_args(argv)
    except SystemExit as exit:
        hint = _dash_rule_hint(argv) if exit.code not in (0, None) else None
        if hint:
            print(hint, file=sys.stderr)
        raise


def _dash_rule_hint(argv: list[str]) -> str | None:
    """For ``check -football --feed F`` or ``check -football Iran --feed F``: argparse takes
    a word that starts with "-" for an unknown option, and its error ("the following arguments
    are required: RULE") does not say so. The hint is the same command with the whole rule as
    one argument after ``--``."""
    if "check" not in argv:
        return None
    start = argv.index("check") + 1
    head, after = argv[:start], argv[start:]
    if "--" in after:
        after = after[: after.index("--")]
    dashed = {arg for arg in after if arg.startswith("-") and not _OPTION.fullmatch(arg)}
    if not dashed:
        return None
    words = dashed | _positionals([*head, *(arg for arg in after if arg not in dashed)])
    rule = " ".join(arg for arg in after if arg in words)
    options = [arg for arg in after if arg not in words]
    fixed = shlex.join(["topic-alert", *head, *options, "--", rule])
    return (
        f'topic-alert: a rule that starts with "-" reads as an option; '
        f"put the whole rule last, after --:\n  {fixed}"
    )


def _positionals(argv: list[str]) -> set[str]:
    """The words argparse takes as positional arguments in ``argv`` (none if it fails)."""
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            parsed, extras = build_parser().parse_known_args(argv)
    except SystemExit:
        return set()
    return {parsed.rule, *(arg for arg in extras if not arg.startswith("-"))}


def _discard_stdout() -> None:
    """Point stdout at /dev/null once its reader is gone, so that the interpreter's flush at
    exit does not fail again with a traceback of its own ("Exception ignored … BrokenPipeError")."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="topic-alert", description="Watch news feeds for the topics you subscribe to."
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="-v info, -vv debug")
    parser.add_argument("--version", action="version", version=f"%(prog)s {installed_version()}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, handler: object, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help, description=help)
        p.set_defaults(handler=handler)
        return p

    def with_config(p: argparse.ArgumentParser, default: str | None = DEFAULT_CONFIG) -> None:
        p.add_argument("--config", default=default, metavar="PATH", help="the TOML config file")

    check = command("check", _check, "show which articles of some feeds a rule matches, and why")
    check.add_argument("rule", metavar="RULE", help="a topic rule, e.g. 'Israel + Azerbaijan'")
    check.add_argument("--feed", action="append", required=True, metavar="URL_OR_PATH")
    check.add_argument("--json", action="store_true", help="one JSON object a line")
    check.add_argument(
        "--no-full-text",
        dest="full_text",
        action="store_false",
        help="match the feed text only; do not fetch the pages of teaser entries",
    )
    with_config(check, default=None)
    search = command("search", _search, "the stored articles a rule matches, latest first")
    search.add_argument("rule", metavar="RULE", help="a topic rule, e.g. 'Israel + Azerbaijan'")
    search.add_argument("--since", metavar="SPAN", help="only the last SPAN: 24h, 7d, 2w…")
    search.add_argument("--json", action="store_true", help="one JSON object a line")
    search.add_argument(
        "--limit", type=_positive, default=20, metavar="N", help="at most N articles (20)"
    )
    with_config(search)
    with_config(command("poll-once", _poll_once, "poll every feed once and fill the outbox"))
    with_config(command("feeds", _feeds, "each feed's polling status"))
    opml_in = command("import-opml", _import_opml, "add the feeds of an OPML file")
    opml_in.add_argument("file", metavar="FILE", type=Path)
    with_config(opml_in)
    with_config(command("export-opml", _export_opml, "print the feeds as OPML"))
    remove = command("remove-feed", _remove_feed, "stop polling a feed, as /removefeed does")
    remove.add_argument("feed", metavar="ID_OR_URL", help="the feed's ID in `feeds`, or its URL")
    with_config(remove)
    backup = command("backup", _backup, "copy the database to PATH, safely while the bot runs")
    backup.add_argument("target", metavar="PATH", type=Path, help="the file to write")
    with_config(backup)
    with_config(command("run", _run_daemon, "run the bot"))
    with_config(
        command("doctor", _doctor, "check the config, Telegram, the database and every feed")
    )
    demo = command("demo", _run_demo, "an offline demo on bundled feeds")
    demo.add_argument(
        "--language",
        choices=LANGUAGES,
        default=SOURCE_LANGUAGE,
        help="the language the demo chat reads (default: %(default)s)",
    )
    return parser


def _run_daemon(args: argparse.Namespace) -> int:
    return import_module("bot.daemon").run(args) or 0


def _run_demo(args: argparse.Namespace) -> int:
    return import_module("bot.demo").run_demo(args) or 0


# ------------------------------------------------------------------------------- check


def _check(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    rule = compile_rule(args.rule, config)
    return asyncio.run(_check_feeds(rule, args, config))


def compile_rule(text: str, config: Config) -> rules.Rule:
    """The rule as the bot compiles a chat's (``bot.compiling.typed_rule``, with the configured
    place names and aliases), or a CliError that shows the rule with a caret under the problem;
    a line on stderr says which invisible characters were removed first."""
    try:
        typed = typed_rule(text, operator_names(config))
    except UnusableRule as exc:
        _say_removed(exc.cleaned)
        line, caret = exc.error.excerpt(exc.cleaned.text)
        raise CliError(f"bad rule: {exc.error}\n  {line}\n  {caret}") from None
    _say_removed(typed.cleaned)
    return typed.rule


def _say_removed(cleaned: rules.CleanText) -> None:
    if cleaned.removed:
        print(f"topic-alert: removed {cleaned.summary()} from the rule", file=sys.stderr)


async def _check_feeds(rule: rules.Rule, args: argparse.Namespace, config: Config) -> int:
    async with build(config) as services:
        read = [_read_articles(services, source, args.full_text) for source in args.feed]
        outcomes = await asyncio.gather(*read, return_exceptions=True)
        return await _print_matches(rule, args, services, outcomes)


async def _print_matches(
    rule: rules.Rule,
    args: argparse.Namespace,
    services: Services,
    outcomes: list[list[Article] | BaseException],
) -> int:
    status, total, shown = 0, 0, 0
    llm, summary_chars = services.llm, services.config.delivery.summary_chars
    for source, outcome in zip(args.feed, outcomes, strict=True):
        if isinstance(outcome, FetchError | FeedParseError | OSError):
            # Feed-stage errors name their URL already; a local file's OSError names the path
            # only inside its str(), after the reason.
            problem = (
                outcome
                if isinstance(outcome, FetchError | FeedParseError)
                else f"{source}: {outcome.strerror or outcome}"
            )
            print(f"topic-alert: {problem}", file=sys.stderr)
            status = EXIT_ERROR
            continue
        if isinstance(outcome, BaseException):
            raise outcome
        total += len(outcome)
        for article in outcome:
            hits = rule.explain(document(article, [rule]))
            if hits is not None:
                shown += 1
                summary = await summarize_article(
                    article.title, article.text, hits, llm=llm, max_chars=summary_chars
                )
                print(
                    _json_line(article, hits, summary.text)
                    if args.json
                    else _text_block(article, hits, summary.text)
                )
    if not args.json:
        print(f"{shown} of {total} articles match {rule}")
    return status


async def _read_articles(services: Services, source: str, full_text: bool) -> list[Article]:
    """A feed's articles as the daemon would match them (full text for teasers), parsed in
    the daemon's worker processes too."""
    fetcher, parser = services.fetcher, services.parser
    if source.startswith(("http://", "https://")):
        parsed = (await read_feed(fetcher, parser, source)).parsed
    else:
        path = Path(source)
        parsed = await parser.parse(path.read_bytes(), url=path.resolve().as_uri())
    if not full_text:
        return parsed.articles
    threshold = services.config.polling.full_text_threshold
    articles, _ = await with_full_text(fetcher, parsed.articles, forced=False, threshold=threshold)
    return articles


def _matched(hits: Sequence[rules.Hit]) -> list[dict[str, str]]:
    """Each (term, field) once, in the order the rule engine reports them."""
    pairs = dict.fromkeys((hit.term, hit.field) for hit in hits)
    return [{"term": term, "field": field} for term, field in pairs]


def _json_line(article: Article, hits: Sequence[rules.Hit], summary: str) -> str:
    record = {
        "title": article.title,
        "url": article.url,
        "source": article.source,
        "published": article.published.isoformat() if article.published else None,
        "matched": _matched(hits),
        "summary": summary,
    }
    return json.dumps(record, ensure_ascii=False)


def _text_block(article: Article, hits: Sequence[rules.Hit], summary: str) -> str:
    why = ", ".join(f"{m['term']} [{m['field']}]" for m in _matched(hits))
    when = _when(article.published, missing="date unknown")
    lines = [article.title or "(untitled)", f"  {article.url or '(no link)'}"]
    lines += [f"  {article.source} · {when}", f"  matched: {why}"]
    lines += [f"  {line}" for line in textwrap.wrap(summary, 96)] + [""]
    return "\n".join(lines)


def _when(moment: datetime | None, *, missing: str = "-") -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else missing


# ------------------------------------------------------------------------------ search


def _positive(text: str) -> int:
    number = int(text) if text.isascii() and text.isdecimal() else 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return number


def _search(args: argparse.Namespace) -> int:
    """What /search shows, on the command line: matches in the store, latest stored first."""
    config = load_config(args.config)
    rule = compile_rule(args.rule, config)
    try:
        since = datetime.now(UTC) - parse_since(args.since) if args.since else None
    except SinceError as exc:
        raise CliError(f"--since {exc}") from None
    with _open_store(config) as store:
        found = asyncio.run(_search_store(store, rule, since, args.limit))
        oldest = store.oldest_article_seen()
    for match in found.matches:
        article = match.stored.article
        print(
            _json_line(article, match.hits, "")
            if args.json
            else _text_block(article, match.hits, "")
        )
    if not args.json:
        window = f"since {_when(since)}" if since else "all stored articles"
        more = " (there are more; raise --limit)" if found.more else ""
        stopped = " (stopped after checking many articles)" if found.stopped else ""
        kept = config.storage.retention_days
        verb = "matches" if len(found.matches) == 1 else "match"
        print(
            f"{counted(len(found.matches), 'article')} {verb} {rule} in {window}{more}{stopped}; "
            f"the oldest stored is from {_when(oldest, missing='-')}, articles are kept {kept} days"
        )
    return 0


async def _search_store(
    store: Store, rule: rules.Rule, since: datetime | None, limit: int
) -> Found:
    astore = AsyncStore(store)
    try:
        newest = await astore.newest_article_id()
        return await find(astore, rule, since=since, up_to=newest, count=limit)
    finally:
        astore.shutdown()


# --------------------------------------------------------------------- store commands


@contextlib.contextmanager
def _storage_faults(path: str) -> Iterator[None]:
    """A storage fault met in the block (a disk that fills up meanwhile) ends the command
    with one line naming the file and what to do (``Store.open`` raises that line itself)."""
    try:
        yield
    except sqlite3.Error as exc:
        if storage_fault(exc) is None:
            raise
        raise StoreUnavailable(path, exc) from None


@contextlib.contextmanager
def _database(path: str) -> Iterator[Store]:
    """The database at ``path``, closed at the end; storage faults as :func:`_storage_faults`."""
    store = Store.open(path)
    try:
        with _storage_faults(path):
            yield store
    finally:
        store.close()


@contextlib.contextmanager
def _open_store(config: Config) -> Iterator[Store]:
    """The configured database with the config file's feeds merged in."""
    with _database(config.storage.path) as store:
        store.sync_config_feeds(config.feeds)
        yield store


def _poll_once(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    with _storage_faults(config.storage.path):
        results = asyncio.run(_poll_feeds(config))
    _print_poll_summary(results)
    return 0


async def _poll_feeds(config: Config) -> list[PollResult]:
    async with build(config) as services:
        await services.store.sync_config_feeds(config.feeds)
        feeds = await services.store.list_feeds()
        with _progress_bar(len(feeds)) as tick:
            return await services.pipeline.poll_all(feeds, progress=lambda _: tick())


@contextlib.contextmanager
def _progress_bar(total: int) -> Iterator[Callable[[], object]]:
    """A bar on stderr over ``total`` feeds (none for a few); call the value once per feed."""
    bar = tqdm(total=total, unit="feed", file=sys.stderr, disable=total < PROGRESS_FROM)
    try:
        yield bar.update
    finally:
        bar.close()


def _print_poll_summary(results: list[PollResult]) -> None:
    counts = Counter(result.status for result in results)
    ok, not_modified = PollStatus.OK, PollStatus.NOT_MODIFIED
    failed = sum(counts[status] for status in FAILED_POLLS)
    print(
        f"polled {counted(len(results), 'feed')}: {counts[ok]} {ok.words}, "
        f"{counts[not_modified]} {not_modified.words}, {failed} {PollStatus.ERROR.words}"
    )
    new = sum(result.new_articles for result in results)
    alerts = sum(result.alerts for result in results)
    print(f"new articles: {new}, matches queued: {alerts}")
    for result in results:
        if result.status in FAILED_POLLS:
            disabled = " (disabled)" if result.status is PollStatus.GONE else ""
            # The error names the feed's URL; the name adds something only when it is not that.
            named = "" if (result.error or "").startswith(result.name) else f"{result.name}: "
            print(f"failed{disabled}: {named}{result.error}")


def _doctor(args: argparse.Namespace) -> int:
    """See bot/doctor; warnings alone exit 0, so that a script can tell "works" apart."""
    rows = asyncio.run(diagnose(args.config, progress=_progress_bar))
    print(render_table(rows))
    return EXIT_ERROR if any(row.status is Status.FAILED for row in rows) else 0


def _feeds(args: argparse.Namespace) -> int:
    with _open_store(load_config(args.config)) as store:
        feeds = store.list_feeds(enabled_only=False)
    if not feeds:
        print("no feeds: add [[feeds]] to the config file or import an OPML file")
        return 0
    header = ("ID", "FEED", "LAST POLL", "RESULT", "ERRORS", "NEXT POLL", "ARTICLES")
    rows = [header, *(_feed_cells(feed) for feed in feeds)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    numeric = {0, 4, 6}
    for row in rows:
        cells = (
            cell.rjust(width) if i in numeric else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        )
        print("  ".join(cells).rstrip())
    return 0


def _feed_cells(feed: FeedRow) -> tuple[str, ...]:
    name = shorten(feed.display_name, 40)
    result = feed.last_status.words if feed.last_status else "never polled"
    if not feed.enabled:
        result += " (removed)" if feed.removed_at else " (disabled)"
    next_poll = _when(feed.next_poll_at) if feed.enabled else "-"
    return (
        str(feed.id),
        name,
        _when(feed.last_polled_at),
        result,
        str(feed.error_count),
        next_poll,
        str(feed.articles),
    )


def _import_opml(args: argparse.Namespace) -> int:
    try:
        listed = read_opml(args.file.read_bytes())
    except OSError as exc:
        raise CliError(f"cannot read {args.file}: {exc.strerror or exc}") from None
    with _open_store(load_config(args.config)) as store:
        known = {feed.url for feed in store.list_feeds()}
        added = [feed for feed in listed if feed.url not in known]
        for feed in added:
            store.add_feed(feed.url, name=feed.name, origin=FeedOrigin.OPML)
    print(
        f"imported {counted(len(added), 'feed')} from {args.file} "
        f"({len(listed) - len(added)} known)"
    )
    return 0


def _remove_feed(args: argparse.Namespace) -> int:
    """Disable a feed; a running daemon drops its job at its next resync (within a minute)."""
    with _open_store(load_config(args.config)) as store:
        feed = _find_feed(store, args.feed)
        store.remove_feed(feed.id)
    print(f"removed feed {feed.id}: {feed.display_name} ({feed.url})")
    if feed.origin is FeedOrigin.CONFIG:
        print(
            "it is also listed in the config file: it stays removed until it is deleted there "
            "or added again (/addfeed, import-opml)"
        )
    return 0


def _find_feed(store: Store, wanted: str) -> FeedRow:
    """The feed ``topic-alert feeds`` lists with this ID, or the one with this URL."""
    feed = store.feed_by_url(wanted)
    if feed is None and wanted.isascii() and wanted.isdecimal():
        with contextlib.suppress(UnknownRow):
            feed = store.get_feed(int(wanted))
    if feed is None:
        raise CliError(f"no feed has the ID or URL {wanted!r}; `topic-alert feeds` lists them")
    return feed


def _export_opml(args: argparse.Namespace) -> int:
    with _open_store(load_config(args.config)) as store:
        feeds = [OpmlFeed(url=feed.url, name=feed.display_name) for feed in store.list_feeds()]
    sys.stdout.write(write_opml(feeds))
    return 0


def _backup(args: argparse.Namespace) -> int:
    """Copy the database with SQLite's online backup; see the README, "Backups"."""
    config = load_config(args.config)
    source, target = Path(config.storage.path), args.target
    if target.resolve() == source.resolve():
        raise CliError(f"{target} is the database itself; back it up to another file")
    with _database(config.storage.path) as store:
        try:
            store.backup(target)
        except (sqlite3.Error, OSError) as exc:
            raise CliError(f"cannot write the backup {target}: {exc}") from None
        stats = store.stats()
    megabytes = target.stat().st_size / 1e6
    print(
        f"backed up {source} to {target} ({megabytes:.1f} MB): {stats.feeds} feeds, "
        f"{stats.subscriptions} topics, {stats.articles} articles, "
        f"{stats.outbox_pending} alerts waiting"
    )
    return 0
