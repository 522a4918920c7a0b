"""kg's terminal browser: walk a knowledge graph of research notes.

Run it with `kg browse [PATH]`; `tui.app.KgApp` is the Textual app. The package is a
client of the public `kg` API; `kg` itself never imports it.
"""
