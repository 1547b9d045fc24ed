"""Ingestion: poll feeds on a schedule, enrich new entries, and store them with their alerts."""
