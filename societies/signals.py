from django.dispatch import Signal

# Sent by ``manage.py setup_portal`` after the organisations' reference data and the demo accounts exist; apps
# higher up (projects: the 2024 list, reports: the targets) connect to it to load their own reference data.
# Receivers get ``stdout`` (a writer for one line of progress each).
portal_setup = Signal()

# Sent by the organisation page (``societies.views.organisation_detail``) to collect sections from apps higher up,
# which societies may not import (projects lists the organisation's projects, scoped to the user). Receivers get
# ``organisation`` and ``user`` and return ``None`` or a dict ``{"order": int, "template": str, "context": dict}``.
organisation_page = Signal()
