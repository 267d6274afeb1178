"""User-facing text in Finnish (first), Swedish and English."""
