"""``topic-alert doctor``: the checks of ``bot.doctor`` as a table on stdout."""

from __future__ import annotations

import argparse
import asyncio

from bot.cli.errors import EXIT_ERROR
from bot.cli.progress import progress_bar
from bot.doctor import Status, diagnose, render_table


def doctor(args: argparse.Namespace) -> int:
    """See bot/doctor; warnings alone exit 0, so that a script can tell "works" apart."""
    rows = asyncio.run(diagnose(args.config, progress=progress_bar))
    print(render_table(rows))
    return EXIT_ERROR if any(row.status is Status.FAILED for row in rows) else 0
