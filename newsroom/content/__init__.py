"""The content model and its reading: stories, static pages, front matter, Markdown, git dates."""
