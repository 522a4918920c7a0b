"""Reading a corpus: finding its files, and parsing site pages and Markdown notes into
`Page` values (the site's page formats in `site` and its `site_*` modules, Obsidian's
Markdown, relation labels, and the vocabularies that split run-together category and tag
lines)."""
