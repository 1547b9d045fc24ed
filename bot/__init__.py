"""topic-alert: the bot side (config, feeds, storage, summaries, delivery, Telegram, CLI)."""


def installed_version() -> str:
    """The version of the installed topic-alert package, as ``--version`` and /status say it."""
    from importlib import metadata

    try:
        return metadata.version("topic-alert")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "(version unknown: not installed)"
