"""Reading a corpus: finding its files, and parsing site pages and Markdown notes into
`Page` values (the site's page formats in `site` and its `site_*` modules, Obsidian's
Markdown, relation labels, and the vocabularies that split run-together category and tag
lines)."""

# What a file parses into. The rule: bump PARSE_VERSION in the same commit as any change
# that can make the parser give another `Page` (or other diagnostics) for some file, however
# small (a line number, a diagnostic's wording); tests/test_parse_version.py fails until you
# do, holding a digest of what the sample corpora parse into. It is part of the index's key
# (`kg.index.stamps`): an index whose pages an earlier parser read is parsed again when it
# is opened (its manifest names the parser), and what was derived from those pages (the
# search index, the traces of every note) is made again. Vectors are kept: they are stored
# under the hashes of the texts embedded, so only texts the new parser reads differently
# are embedded again.
# 1: every index of FORMAT_VERSION 13 before this constant (its manifest names none);
# 2: a Markdown note's front-matter links each on the line that writes it, not the front
# matter's first line; a date YAML cannot make is reported as invalid front matter.
# 3: Obsidian's rules on unseen vaults: tags with emoji and any script's letters, tags that
# open an emphasis; callouts and nested quotes without their markers; task boxes and
# horizontal rules out of the text; empty front-matter list items ignored; front-matter
# problems on their key's line.
PARSE_VERSION = 3
