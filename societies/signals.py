from django.dispatch import Signal

# Sent by ``manage.py setup_portal`` after the organisations' reference data and the demo accounts exist; apps
# higher up (projects: the 2024 list, reports: the targets) connect to it to load their own reference data.
# Receivers get ``stdout`` (a writer for one line of progress each).
portal_setup = Signal()
