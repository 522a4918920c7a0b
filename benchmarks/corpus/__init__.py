"""The synthetic corpus generator's parts (`benchmarks/generate_corpus.py` runs them):
vocabulary (`words`, `templates`), template filling (`filler`), the plan of every page
(`plan`) and the pages' text (`render`). Standard library only."""
