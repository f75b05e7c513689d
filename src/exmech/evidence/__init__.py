"""What the graph says about mechanisms: intervention -> mediator -> outcome paths, the evidence summary per
candidate mediator and its tested effects, and the headline figures."""
