// Probe: an ES module bundle that does nothing; the floor the other probes are measured from.
export {};
