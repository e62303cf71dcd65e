"""Rendering: the Jinja2 environment, page contexts and interface words (no file I/O)."""
