"""The feed stage: fetch feeds over HTTP, find them in HTML pages, parse them into Articles.

One module per step (fetcher, discovery, parser, normalize, opml, backoff), so the pipeline
and the tests can drive each step alone.
"""
