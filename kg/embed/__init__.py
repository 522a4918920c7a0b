"""Embeddings: the sentence-transformers models kg loads offline (`models`), the static
embedder distilled from them (`static`), which one a config names (`choose`), what of a
note is embedded (`texts`), the vector store kept beside the index (`store`, built from
`state`, `reading`, `update` and `files`; `vectors` gathers its public names), its wiring
into `kg.load` (`attach`), and vectors computed only for the texts a query needs (`lazy`)."""
