"""``python -m bot``: the same as the ``topic-alert`` command."""

from bot.cli import main

raise SystemExit(main())
