"""Markdown renderers for the pages the live_data hook generates."""
