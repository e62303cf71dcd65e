"""Loss-function figures, in four modules along the way a figure takes:

* :mod:`.spec`: what to draw (:class:`~.spec.FigureSpec`) and the stable name it is published under;
* :mod:`.captions`: its caption, alt text and legend words, from :mod:`generator.i18n`;
* :mod:`.draw`: matplotlib → SVG bytes; the only module that imports matplotlib;
* :mod:`.cache`: the drawn SVGs kept on disk, and drawing the missing ones in a worker pool.

Enrichment and rendering import :mod:`.spec` and :mod:`.captions` only, and
:func:`.cache.render_figures` imports :mod:`.draw` only when a figure must be drawn, so a
site without plots never loads matplotlib.
"""
