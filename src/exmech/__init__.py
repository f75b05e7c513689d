"""exmech: a knowledge graph of why exercise helps people with chronic low back pain."""

__version__ = "0.1.0"
