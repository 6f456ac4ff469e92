"""Public insights: figures of the register, computed once per change of it."""
