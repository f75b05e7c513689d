"""Results for people and other tools: query results as text, spreadsheet-safe cells, the path network for
Cytoscape/Gephi, figures and the evidence report."""
