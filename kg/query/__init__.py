"""Questions asked of the graph: notes near in meaning (`near`), hybrid search (`search`),
and claim tracing with its evidence scorers (`trace`)."""
