"""``studysite generate``: lessons from a catalogue crossed with a question list, each
section's answer asked of an OpenAI-compatible assistant once and kept in a cache.

``workzone``   the aidocx workzone (config.yaml, input.md, translation.json, cache/), checked whole
``gotemplate`` the ``{{ .keyword }}`` Go templates of its prompts
``lessons``    the cache, the lesson format, writing OUT without overwriting hand edits
``assistant``  the ``openai`` client, retries and token counts (imported only to ask)
``progress``   the progress bar or lines
``run``        the command itself
"""

from generator.generate.run import GenerateOptions, generate

__all__ = ["GenerateOptions", "generate"]
