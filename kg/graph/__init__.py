"""The typed graph: building it from pages (`build`, `merge`, `vault`), its compact link
tables (`tables`), and `KnowledgeGraph`, the object every client queries (`knowledge`),
whose methods live by job: walks (`walks`), figures (`figures`), networkx and tables
(`nxview`), and what the layers below serve (`clients`)."""
