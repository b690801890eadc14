"""Protocol front-ends: the simulated lab served over the same protocols as real probes."""
