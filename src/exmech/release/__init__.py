"""A release: the ontology and knowledge base in every standard serialisation, stamped with their version and
described (VoID/DCAT, SSSOM, HTML docs), with checksums."""
