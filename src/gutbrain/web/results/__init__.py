"""Results: gut–brain profiles computed from a client's stool-test files."""
