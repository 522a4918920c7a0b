"""The index folder beside a corpus (`store`) and opening a corpus through it (`loader`,
which is `kg.load`)."""
