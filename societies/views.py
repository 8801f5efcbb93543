"""Views of the societies app."""
