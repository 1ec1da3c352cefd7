"""Models of the guests app."""
