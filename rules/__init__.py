"""topic-alert rule engine: a query language for topics, its parser, matcher and index."""
