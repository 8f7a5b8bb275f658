"""Database models, engine and migrations (Qt-free)."""
