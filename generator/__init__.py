"""studysite: build interactive study sites from Hugo-style lessons."""

__version__ = "0.1.0"
