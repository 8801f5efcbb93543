"""The one way a higher app adds a section, link or action to a lower app's page.

Imports between the apps run one way (societies ← projects ← meetings ← reports), so a lower app's page cannot
ask a higher app for its part. Instead the higher app registers a *panel* for a named place in its
``AppConfig.ready()``::

    panels.register("projects:mine", open_decisions_panel)

and the lower app's view collects them with ``panels.collect("projects:mine", user=request.user, ...)``. A panel
is a function of keyword arguments (always ``user``, plus what the place passes: ``organisation``, ``outcome`` …)
that returns ``None`` (nothing to show) or ``{"template": "app/_part.html", "order": 10, **context}``; the page
includes each template with its context (``templates/generic/_panels.html``).

The places in use: ``organisation`` (an organisation's page), ``projects:mine`` ("my projects"),
``projects:outcome`` (an outcome's page), ``projects:detail`` (a project's page), and one for a document:
``reports:halfyear-commendation`` (the half-yearly report's commendation section: a panel returns
``{"section": (title, header, rows)}``).
"""

from collections import defaultdict

_PANELS: dict[str, list] = defaultdict(list)


def register(place: str, panel) -> None:
    """Show ``panel``'s part on the page ``place`` (registering the same function twice adds it once)."""
    if panel not in _PANELS[place]:
        _PANELS[place].append(panel)


def collect(place: str, **context) -> list[dict]:
    """The parts the registered panels give for this page, in their ``order`` (default 100)."""
    shown = [part for panel in _PANELS[place] if (part := panel(**context))]
    return sorted(shown, key=lambda part: part.get("order", 100))
