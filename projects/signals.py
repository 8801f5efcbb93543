"""Signals of the projects app, for the apps above it."""

from django.dispatch import Signal

# Sent after projects were written in bulk (an import), where no per-row post_save fires.
projects_bulk_changed = Signal()
