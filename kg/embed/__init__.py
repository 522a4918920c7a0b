"""Embeddings: the sentence-transformers models kg loads offline (`models`), the vectors of
every note's texts kept beside the index (`vectors`), and vectors computed only for the
texts a query needs (`lazy`)."""
