"""Small shared utilities at the bottom of the layers: everything of Walker's may import them, and they import
nothing of Walker's (checked by import-linter, see docs/architecture.md)."""
