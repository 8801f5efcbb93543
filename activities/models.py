"""Work beyond the key-project list: the own activities (自主活动) a district association or a municipal society
records itself, with their evidence. Once the secretariat confirms them they count toward the targets exactly like
the outcomes of list projects (``reports.targets``)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from projects.choices import OutcomeKind
from projects.models import Confirmable, Project
from sanlian.access import ScopedManager
from sanlian.bounds import count_constraint, count_validators
from sanlian.uploads import StoredFile, private_name
from societies.models import District, Expert, Industry, Partner, Society, UpperUnit


class OwnActivity(Confirmable):
    """An activity a district association or a society held on its own (not on the annex list)."""

    title = models.CharField(_("activity"), max_length=300)
    kind = models.CharField(_("kind of activity"), max_length=20, choices=OutcomeKind.choices,
                            default=OutcomeKind.POPULARISATION, db_index=True)
    held_on = models.DateField(_("date held"), db_index=True)
    ended_on = models.DateField(_("last day (if several days)"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    town = models.CharField(_("town or street"), max_length=100, blank=True)
    district = models.ForeignKey(District, verbose_name=_("district association"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="own_activities")
    society = models.ForeignKey(Society, verbose_name=_("society"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="own_activities")
    linked_societies = models.ManyToManyField(Society, verbose_name=_("co-organising societies"), blank=True,
                                              related_name="linked_activities")
    other_organisers = models.CharField(_("other co-organisers"), max_length=300, blank=True,
                                        help_text=_("Societies and units not listed above, separated by commas."))
    upper_units = models.ManyToManyField(UpperUnit, verbose_name=_("upper-level units that took part"), blank=True,
                                         related_name="own_activities")
    partners = models.ManyToManyField(Partner, verbose_name=_("S&T enterprises (projects) that took part"),
                                      blank=True, related_name="own_activities")
    participants = models.PositiveIntegerField(_("participants (person-times)"), default=0)
    expert_person_times = models.PositiveIntegerField(_("experts involved (person-times)"), default=0)
    experts = models.ManyToManyField(Expert, verbose_name=_("experts"), blank=True, related_name="own_activities")
    industries = models.ManyToManyField(Industry, verbose_name=_("“6+3” industries served"), blank=True,
                                        related_name="own_activities")
    served_count = models.PositiveIntegerField(_("enterprises and key projects served"), default=0)
    served_names = models.TextField(_("who was served"), blank=True)
    news_link = models.URLField(_("news link"), blank=True)
    description = models.TextField(_("description"), blank=True)
    venue = models.ForeignKey("Venue", verbose_name=_("base or venue"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="activities")
    measures = models.ManyToManyField("Measure", verbose_name=_("measures of the plan"), blank=True,
                                      related_name="activities")
    history = HistoricalRecords()

    objects = ScopedManager()

    class Meta:
        verbose_name = _("own activity")
        verbose_name_plural = _("own activities")
        ordering = ["-held_on", "-id"]
        constraints = [models.CheckConstraint(
            condition=models.Q(district__isnull=False) | models.Q(society__isnull=False), name="own_activity_has_unit")]

    def __str__(self) -> str:
        return "{} {}".format(self.held_on, self.title)

    def get_absolute_url(self) -> str:
        return reverse("activities:detail", args=[self.pk])

    @property
    def unit(self):
        """The association or society that recorded the activity."""
        return self.district or self.society


def evidence_path(instance: "ActivityEvidence", filename: str) -> str:
    return private_name("activities", filename)


class ActivityEvidence(StoredFile):
    """A photo or document proving an own activity, stored privately and served only through an access check."""

    activity = models.ForeignKey(OwnActivity, verbose_name=_("own activity"), on_delete=models.CASCADE,
                                 related_name="evidence")
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=300)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["id"]

    def get_absolute_url(self) -> str:
        return reverse("activities:evidence", args=[self.pk])


class Campaign(models.Model):
    """A campaign (集中活动, e.g. 全国科普月, 全国科技工作者日) a district association ran across many sessions: one
    record of its period, scope and reach. With per-town lines its figures are the lines' sums."""

    title = models.CharField(_("campaign"), max_length=200)
    district = models.ForeignKey(District, verbose_name=_("district association"), on_delete=models.PROTECT,
                                 related_name="campaigns")
    starts_on = models.DateField(_("starts on"), db_index=True)
    ends_on = models.DateField(_("ends on"))
    scope = models.CharField(_("scope"), max_length=300, blank=True,
                             help_text=_("Who took part, e.g. all towns and streets and primary and middle schools."))
    sessions = models.PositiveIntegerField(_("sessions held"), default=0)
    participants = models.PositiveIntegerField(_("participants (person-times)"), default=0)
    towns = models.PositiveIntegerField(_("towns and streets covered"), default=0)
    schools = models.PositiveIntegerField(_("schools covered"), default=0)
    publicity = models.PositiveIntegerField(_("articles and publicity items"), default=0)
    note = models.TextField(_("note"), blank=True)
    measures = models.ManyToManyField("Measure", verbose_name=_("measures of the plan"), blank=True,
                                      related_name="campaigns")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = ScopedManager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return "{} {}".format(self.starts_on.year, self.title)

    def get_absolute_url(self) -> str:
        return reverse("activities:campaign", args=[self.pk])


class CampaignLine(models.Model):
    """One town's or street's part of a campaign."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="lines")
    town = models.CharField(_("town or street"), max_length=100)
    sessions = models.PositiveIntegerField(_("sessions held"), default=0)
    participants = models.PositiveIntegerField(_("participants (person-times)"), default=0)
    schools = models.PositiveIntegerField(_("schools covered"), default=0)
    publicity = models.PositiveIntegerField(_("articles and publicity items"), default=0)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("campaign line")
        verbose_name_plural = _("campaign lines")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "town"], name="campaign_line_town_once")]

    def __str__(self) -> str:
        return self.town


class VenueKind(models.Model):
    """A kind of base or venue (协同创新基地, 社区科普馆, 企业科协 …): an editable list kept by the secretariat."""

    code = models.SlugField(_("code"), max_length=40, unique=True,
                            help_text=_("Used in a target's kinds (e.g. enterprise_association)."))
    name = models.CharField(_("name"), max_length=100, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("kind of base or venue")
        verbose_name_plural = _("kinds of bases and venues")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class VenueStatus(models.TextChoices):
    BUILDING = "building", _("Being set up")
    ACTIVE = "active", _("In operation")
    CLOSED = "closed", _("Closed")


class Venue(models.Model):
    """A base or venue (基地与场馆): a collaborative innovation base, a popular-science venue, a service station, an
    enterprise S&T association …; own activities name the venue they were held at."""

    # a target's kinds name venue kinds by their code (``reports.targets.target_rows``)
    kind_lookup = "kind__code"

    name = models.CharField(_("name"), max_length=200)
    kind = models.ForeignKey(VenueKind, verbose_name=_("kind"), on_delete=models.PROTECT, related_name="venues")
    host = models.CharField(_("host organisation"), max_length=200, blank=True)
    district = models.ForeignKey(District, verbose_name=_("district association"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="venues")
    founded_on = models.DateField(_("founded on"), null=True, blank=True, db_index=True)
    status = models.CharField(_("status"), max_length=20, choices=VenueStatus.choices, default=VenueStatus.ACTIVE)
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = ScopedManager()

    class Meta:
        verbose_name = _("base or venue")
        verbose_name_plural = _("bases and venues")
        ordering = ["district__order", "kind__order", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("activities:venue", args=[self.pk])


class Measure(models.Model):
    """One of the plan's 16 measures (主要工作及推进措施) as data: number, group, short name, text, lead unit.
    Projects, own activities and campaigns are tagged with the measures they serve."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    group = models.CharField(_("group"), max_length=100, blank=True)
    short_name = models.CharField(_("short name"), max_length=100)
    text = models.TextField(_("text"))
    lead_unit = models.CharField(_("lead unit"), max_length=100, blank=True)
    projects = models.ManyToManyField(Project, verbose_name=_("projects"), blank=True, related_name="measures")
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    objects = ScopedManager()

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["number"]

    def __str__(self) -> str:
        return "{}. {}".format(self.number, self.short_name)

    def get_absolute_url(self) -> str:
        return reverse("activities:measure", args=[self.pk])


class Programme(models.Model):
    """A people programme (科技辅导员 and similar rosters): an editable list kept by the secretariat."""

    TUTOR = "tutor"

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("people programme")
        verbose_name_plural = _("people programmes")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class RosterMember(models.Model):
    """One person on a programme's roster (e.g. a certified 科技辅导员): who, their unit and district, when certified
    and the trainings they attended."""

    programme = models.ForeignKey(Programme, verbose_name=_("programme"), on_delete=models.PROTECT,
                                  related_name="members")
    name = models.CharField(_("name"), max_length=100)
    unit = models.CharField(_("work unit"), max_length=200, blank=True)
    district = models.ForeignKey(District, verbose_name=_("district association"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="roster_members")
    certified_on = models.DateField(_("certified on"), null=True, blank=True, db_index=True)
    trainings = models.PositiveIntegerField(_("trainings attended"), default=0, validators=count_validators())
    training_note = models.CharField(_("trainings (which)"), max_length=300, blank=True)
    phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    note = models.TextField(_("note"), blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = ScopedManager()

    class Meta:
        verbose_name = _("roster member")
        verbose_name_plural = _("roster members")
        ordering = ["district__order", "name", "id"]
        constraints = [count_constraint("trainings", "roster_member_trainings_bounded")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("activities:roster_edit", args=[self.pk])
