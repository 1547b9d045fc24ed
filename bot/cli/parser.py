"""The command line: each command's arguments, and where its function lives.

``COMMANDS`` names each command's function as ``"module:function"``; :func:`load_command`
imports the module only when that command runs, so a command loads only the libraries it
uses (pip's ``commands_dict`` does the same). The arguments stay here, in one parser, since
``--help`` must list every command without importing any.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import shlex
import sys
from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import cast

from bot import installed_version
from bot.i18n import LANGUAGES, SOURCE_LANGUAGE

DEFAULT_CONFIG = "config.toml"

Command = Callable[[argparse.Namespace], int | None]
"""A command's function: the parsed arguments in, the exit status out (None: 0)."""

COMMANDS: dict[str, str] = {
    "check": "bot.cli.check:check",
    "search": "bot.cli.search:search",
    "poll-once": "bot.cli.poll:poll_once",
    "feeds": "bot.cli.feeds:feeds",
    "import-opml": "bot.cli.opml:import_opml",
    "export-opml": "bot.cli.opml:export_opml",
    "remove-feed": "bot.cli.feeds:remove_feed",
    "backup": "bot.cli.backup:backup",
    "run": "bot.daemon:run",
    "doctor": "bot.cli.doctor:doctor",
    "demo": "bot.demo:run_demo",
}
"""Each command and the function that runs it."""

_OPTION = re.compile(r"--.*|-[vh]+")
"""What ``check`` takes as an option; any other argument starting with "-" is meant as a rule."""


def load_command(name: str) -> Command:
    """The function of the command ``name``, its module imported now."""
    module, _, function = COMMANDS[name].partition(":")
    return cast(Command, getattr(import_module(module), function))


def parse(argv: list[str]) -> argparse.Namespace:
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


def _positive(text: str) -> int:
    number = int(text) if text.isascii() and text.isdecimal() else 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return number


class _Version(argparse.Action):
    """``--version``: the installed version is looked up only when asked (package metadata
    costs a noticeable part of a short command's start-up)."""

    def __init__(self, option_strings: list[str], dest: str, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        print(f"{parser.prog} {installed_version()}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="topic-alert", description="Watch news feeds for the topics you subscribe to."
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="-v info, -vv debug")
    parser.add_argument("--version", action=_Version, help="show the version and exit")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[common], help=help, description=help)

    def with_config(p: argparse.ArgumentParser, default: str | None = DEFAULT_CONFIG) -> None:
        p.add_argument("--config", default=default, metavar="PATH", help="the TOML config file")

    check = command("check", "show which articles of some feeds a rule matches, and why")
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
    search = command("search", "the stored articles a rule matches, latest first")
    search.add_argument("rule", metavar="RULE", help="a topic rule, e.g. 'Israel + Azerbaijan'")
    search.add_argument("--since", metavar="SPAN", help="only the last SPAN: 24h, 7d, 2w…")
    search.add_argument("--json", action="store_true", help="one JSON object a line")
    search.add_argument(
        "--limit", type=_positive, default=20, metavar="N", help="at most N articles (20)"
    )
    with_config(search)
    with_config(command("poll-once", "poll every feed once and fill the outbox"))
    with_config(command("feeds", "each feed's polling status"))
    opml_in = command("import-opml", "add the feeds of an OPML file")
    opml_in.add_argument("file", metavar="FILE", type=Path)
    with_config(opml_in)
    with_config(command("export-opml", "print the feeds as OPML"))
    remove = command("remove-feed", "stop polling a feed, as /removefeed does")
    remove.add_argument("feed", metavar="ID_OR_URL", help="the feed's ID in `feeds`, or its URL")
    with_config(remove)
    backup = command("backup", "copy the database to PATH, safely while the bot runs")
    backup.add_argument("target", metavar="PATH", type=Path, help="the file to write")
    with_config(backup)
    with_config(command("run", "run the bot"))
    with_config(command("doctor", "check the config, Telegram, the database and every feed"))
    demo = command("demo", "an offline demo on bundled feeds")
    demo.add_argument(
        "--language",
        choices=LANGUAGES,
        default=SOURCE_LANGUAGE,
        help="the language the demo chat reads (default: %(default)s)",
    )
    return parser
