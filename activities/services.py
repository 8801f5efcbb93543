"""Recording and changing own activities with their evidence (the only writers; views and the admin call these)."""

from django.db import transaction

from projects.outcomes import entered
from sanlian.uploads import check_uploads, files_with_transaction, store_uploads

from .models import ActivityEvidence, Campaign, CampaignLine, OwnActivity, Venue

LINKS = ("linked_societies", "upper_units", "partners", "experts", "industries", "measures")


def save_activity(activity: OwnActivity, *, user, links: dict, files=()) -> OwnActivity:
    """Save a new or changed own activity, its links and its evidence files in one transaction (each file is
    checked by content; nothing is stored if one is refused). Entered or changed by the secretariat it counts at
    once; entered or changed by a contact it waits (again) for the secretariat's confirmation."""
    checked = check_uploads(files)
    with files_with_transaction() as stored:
        entered(activity, user=user)
        activity._history_user = user
        activity.save()
        for name in LINKS:
            if name in links:
                getattr(activity, name).set(links[name])
        store_uploads(ActivityEvidence, checked, stored, activity=activity, uploaded_by=user)
    return activity


SUMMED = ("sessions", "participants", "schools", "publicity")


@transaction.atomic
def save_campaign(campaign: Campaign, *, user, lines: list[dict] | None = None, measures=None) -> Campaign:
    """Save a campaign with its per-town lines (replacing the old lines) in one transaction. With lines, the
    campaign's sessions, participants, schools and publicity are the lines' sums and its towns at least their
    number; without lines the figures stay as entered."""
    if campaign.pk is None:
        campaign.entered_by = user
    if lines:
        for name in SUMMED:
            setattr(campaign, name, sum(line[name] or 0 for line in lines))
        campaign.towns = max(campaign.towns or 0, len(lines))
    campaign._history_user = user
    campaign.save()
    if measures is not None:
        campaign.measures.set(measures)
    if lines is not None:
        campaign.lines.all().delete()
        CampaignLine.objects.bulk_create([CampaignLine(campaign=campaign, town=line["town"],
                                                       **{name: line[name] or 0 for name in SUMMED})
                                          for line in lines])
    return campaign


def save_venue(venue: Venue, *, user) -> Venue:
    """Save a base or venue (its history records ``user``)."""
    venue._history_user = user
    venue.save()
    return venue
