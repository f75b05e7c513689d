"""`exmech serve`: a read-only SPARQL 1.1 Protocol endpoint, hardened (guard, bounded HTTP, forked time-limited
workers), with a query page and dereferenceable term pages."""
