"""The search index: Pagefind over the built site, in parts, merged."""
