"""Questions asked of the graph: hybrid search and near notes (`search`), and claim tracing
with its evidence scorers (`trace`)."""
