"""iCalendar (RFC 5545) text: escaping, line folding and a calendar of events. No domain here."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone

from django.utils import timezone

from .site import absolute_url, site_host


def ics_text(value: str) -> str:
    """A TEXT value: backslash, semicolon and comma escaped, every line break (CRLF, LF or a lone CR) as \\n."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def ics_fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 3.1), never inside a UTF-8 character."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > (75 if not out else 74):
            out.append(current)
            current = ""
        current += char
    out.append(current)
    return "\r\n ".join(out)


@dataclass
class Event:
    """One calendar event: a whole day (``start`` a date) or a span of time (``start``/``end`` aware datetimes)."""

    uid: str
    summary: str
    start: date | datetime
    end: date | datetime | None = None
    description: str = ""
    location: str = ""
    path: str = ""  # the portal page of the event


def _when(name: str, value: date | datetime) -> str:
    if isinstance(value, datetime):
        return "{}:{}".format(name, value.astimezone(dt_timezone.utc).strftime("%Y%m%dT%H%M%SZ"))
    return "{};VALUE=DATE:{}".format(name, value.strftime("%Y%m%d"))


def _event_lines(event: Event, stamp: str) -> list[str]:
    end = event.end
    if end is None:
        end = event.start + timedelta(days=1) if not isinstance(event.start, datetime) else event.start
    lines = ["BEGIN:VEVENT", "UID:{}@{}".format(event.uid, site_host()), "DTSTAMP:" + stamp,
             _when("DTSTART", event.start), _when("DTEND", end), "SUMMARY:" + ics_text(event.summary)]
    if event.description:
        lines.append("DESCRIPTION:" + ics_text(event.description))
    if event.location:
        lines.append("LOCATION:" + ics_text(event.location))
    if event.path:
        lines.append("URL:" + absolute_url(event.path))
    return lines + ["END:VEVENT"]


def calendar(events, *, product: str, name: str = "", method: str = "") -> str:
    """A VCALENDAR with ``events``; events whose dates cannot be written (before year 1 or after 9999 once a day
    is added) are left out rather than breaking the whole feed."""
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//sanlian//{}//ZH".format(product), "CALSCALE:GREGORIAN"]
    if method:
        lines.append("METHOD:" + method)
    if name:
        lines += ["X-WR-CALNAME:" + ics_text(name), "X-WR-TIMEZONE:" + timezone.get_default_timezone_name()]
    for event in events:
        try:
            lines += _event_lines(event, stamp)
        except (OverflowError, ValueError):
            continue
    lines.append("END:VCALENDAR")
    return "\r\n".join(ics_fold(line) for line in lines) + "\r\n"
