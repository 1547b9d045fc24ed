"""The test harness shared by every folder of tests: the fake Bot API, local feeds, the
daemon as a process, and the environments the pipeline and the sender run in."""
