"""The tests mirror the code: ``tests/<package>/`` tests ``bot/<package>/`` (``tests/rules/`` the
rule engine), ``tests/test_<module>.py`` a top-level ``bot/<module>.py``, ``tests/daemon/`` the
whole daemon end to end. Each folder's ``conftest.py`` holds its fixtures; the harness every
folder shares (the fake Bot API, local feeds, the daemon as a process, waiting on a condition)
is the ``tests.support`` package. A package, so that two folders may each have a test_feeds.py.
"""
