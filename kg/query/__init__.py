"""Questions asked of the graph: hybrid search and near notes (`search`), and claim tracing
(`trace`, which gathers `claims`, `candidates`, `scorers`, the evidence `tree` and `uses`)."""
