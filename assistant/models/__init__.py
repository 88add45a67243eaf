"""Model backends; `registry` decides which exist."""
