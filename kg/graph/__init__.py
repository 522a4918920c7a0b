"""The typed graph: building it from pages (`build`, `merge`, `vault`), its compact link
tables (`tables`), and `KnowledgeGraph`, the object every client queries (`knowledge`)."""
