"""The kinds of organisation and people the secretariat keeps in the portal, as data for the generic pages."""

from dataclasses import dataclass, field

from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from .choices import PartnerKind, UpperUnitLevel
from .models import Contact, District, Expert, Industry, Partner, Society, UpperUnit


@dataclass(frozen=True)
class Kind:
    """One kind: its model, the form fields, the list columns, the search fields and the choice filter."""

    slug: str
    model: type[Model]
    fields: tuple[str, ...]
    columns: tuple[str, ...]
    search: tuple[str, ...] = ("name",)
    filter_field: str = ""
    filter_choices: tuple = ()
    select_related: tuple[str, ...] = ()
    project_filter: str = ""  # the project list's filter parameter showing this organisation's projects
    private: bool = False  # people's contact details: the secretariat only
    order: tuple[str, ...] = field(default=("name",))

    @property
    def label(self):
        return self.model._meta.verbose_name_plural

    @property
    def singular(self):
        return self.model._meta.verbose_name


KINDS = {kind.slug: kind for kind in (
    Kind("societies", Society, ("name", "short_name", "chair", "chair_email", "contact_name", "contact_phone",
                                "member_count", "founded_on", "webhook_url", "is_active", "remarks"),
         ("name", "chair", "contact_name", "contact_phone", "member_count", "is_active"),
         search=("name", "short_name", "chair", "contact_name"), project_filter="society"),
    Kind("districts", District, ("name", "is_city", "order", "remarks"), ("name", "is_city", "order"),
         project_filter="district", order=("order", "name")),
    Kind("upper-units", UpperUnit, ("name", "level", "remarks"), ("name", "level"), filter_field="level",
         filter_choices=tuple(UpperUnitLevel.choices)),
    Kind("partners", Partner, ("name", "kind", "remarks"), ("name", "kind"), filter_field="kind",
         filter_choices=tuple(PartnerKind.choices)),
    Kind("industries", Industry, ("name", "order", "is_active"), ("name", "order", "is_active"),
         order=("order", "name")),
    Kind("contacts", Contact, ("name", "phone", "email", "society", "district", "user"),
         ("name", "phone", "email", "society", "district"), search=("name", "phone", "email"),
         select_related=("society", "district"), private=True),
    Kind("experts", Expert, ("name", "organisation", "title", "field", "phone", "email", "society", "industries"),
         ("name", "organisation", "title", "field", "society"), search=("name", "organisation", "field"),
         select_related=("society",), private=True),
)}

KIND_LABELS = _("Organisations and people")
