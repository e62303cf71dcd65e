"""EPUB 3 books made from a site."""
