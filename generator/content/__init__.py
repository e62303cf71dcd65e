"""Reading lessons: front matter, shortcodes, structure, Markdown, the lesson model and the site tree."""
