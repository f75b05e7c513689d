"""A reviewer's entry, from file to knowledge base: read it safely (Turtle, JSON-LD, CSV, XLSX, RDF/XML), check
it against the shapes, vocabularies and what is stored, and add it to the knowledge-base folder all or nothing."""
