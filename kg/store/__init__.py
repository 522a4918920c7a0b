"""kg's graph in a SPARQL 1.1 store: an Oxigraph server for the corpus (`server`), an HTTP
client for any store (`endpoint`), one named graph per source file (`partition`), an
incremental push (`push`) and a graph opened from a store (`remote`)."""
