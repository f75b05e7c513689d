"""Files to graph: the packaged edit files, the one prefix map, parsing and the rules (derive), the packaged
query catalogue, and writing the merged graph to files."""
