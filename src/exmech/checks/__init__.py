"""Checking the whole graph on any store: quality queries, SHACL shapes, and OWL consistency (OWL RL always,
HermiT where Java runs)."""
