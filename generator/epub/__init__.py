"""EPUB 3 books made from a site: see :mod:`generator.epub.book`."""

from generator.epub.book import book_paths, editions, make_book

__all__ = ["book_paths", "editions", "make_book"]
