"""Pure rules of the register. Nothing here imports AWS or the rest of the project's AWS side."""
