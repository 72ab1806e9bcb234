"""What SmolLM2's heads do (notebook 17)."""
