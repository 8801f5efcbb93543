from django.dispatch import Signal

# Sent by ``manage.py setup_portal`` after the organisations' reference data and the demo accounts exist; apps
# higher up (projects: the 2024 list and the beat schedule, reports: the targets) connect to it to load their own
# reference data. Receivers get ``stdout`` and return one line of progress (or None).
portal_setup = Signal()
