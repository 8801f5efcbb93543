"""The kinds of records the secretariat keeps in the portal's organisation pages, one small config each.

The generic views (``societies.views``) and templates (``templates/generic/``) read these; a new kind is one entry.
"""

from dataclasses import dataclass

from django.db import models
from django.http import Http404

from sanlian.display import value_text

from .models import Contact, District, Expert, ExpertCategory, Industry, Partner, Society, UpperUnit


@dataclass(frozen=True)
class Column:
    """One column of a list: a model field or a property, and the heading (defaults to the field's verbose name)."""

    name: str
    label: str = ""
    link: bool = False  # this column links to the record's page

    def heading(self, model) -> str:
        if self.label:
            return self.label
        try:
            return model._meta.get_field(self.name).verbose_name
        except Exception:
            return self.name


@dataclass(frozen=True)
class Kind:
    slug: str
    model: type[models.Model]
    columns: tuple[Column, ...]
    search: tuple[str, ...]
    filters: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    # Contacts see their own organisation's page: only these kinds have a role tied to them.
    own_page: bool = False
    # Shown on the page to the secretariat only (a group robot address carries its access token).
    secret_fields: tuple[str, ...] = ()

    @property
    def verbose_name(self) -> str:
        return self.model._meta.verbose_name

    @property
    def verbose_name_plural(self) -> str:
        return self.model._meta.verbose_name_plural

    def queryset(self, user) -> models.QuerySet:
        """The records of this kind that ``user`` may see."""
        return self.model.objects.for_user(user).select_related(*self.select_related).prefetch_related(
            *self.prefetch_related)


KINDS: dict[str, Kind] = {
    kind.slug: kind
    for kind in (
        Kind(
            "societies", Society,
            columns=(Column("name", link=True), Column("short_name"), Column("chair"), Column("contact_name"),
                     Column("contact_phone"), Column("member_count"), Column("founded_on"), Column("is_active")),
            search=("name", "short_name", "chair", "contact_name"),
            filters=("is_active",),
            fields=("name", "short_name", "chair", "chair_email", "contact_name", "contact_phone", "member_count",
                    "founded_on", "webhook_url", "is_active", "remarks"),
            own_page=True,
            secret_fields=("webhook_url",),
        ),
        Kind(
            "districts", District,
            columns=(Column("name", link=True), Column("is_city"), Column("order")),
            search=("name",),
            filters=("is_city",),
            fields=("name", "is_city", "order", "remarks"),
            own_page=True,
        ),
        Kind(
            "upper-units", UpperUnit,
            columns=(Column("name", link=True), Column("level")),
            search=("name",),
            filters=("level",),
            fields=("name", "level", "remarks"),
        ),
        Kind(
            "partners", Partner,
            columns=(Column("name", link=True), Column("kind")),
            search=("name",),
            filters=("kind",),
            fields=("name", "kind", "remarks"),
        ),
        Kind(
            "contacts", Contact,
            columns=(Column("name", link=True), Column("phone"), Column("email"), Column("society"),
                     Column("district")),
            search=("name", "phone", "email"),
            filters=("society", "district"),
            fields=("name", "phone", "email", "society", "district"),
            select_related=("society", "district"),
        ),
        Kind(
            "experts", Expert,
            columns=(Column("name", link=True), Column("organisation"), Column("title"), Column("level"),
                     Column("category"), Column("field"), Column("society"), Column("industries")),
            search=("name", "organisation", "field"),
            filters=("level", "category", "industries", "society"),
            fields=("name", "organisation", "title", "level", "category", "field", "phone", "email", "society",
                    "industries"),
            select_related=("society", "category"),
            prefetch_related=("industries",),
        ),
        Kind(
            "expert-categories", ExpertCategory,
            columns=(Column("name", link=True), Column("order")),
            search=("name",),
            filters=(),
            fields=("name", "order"),
        ),
        Kind(
            "industries", Industry,
            columns=(Column("name", link=True), Column("order"), Column("is_active")),
            search=("name",),
            filters=("is_active",),
            fields=("name", "order", "is_active"),
        ),
    )
}


def kind_or_404(slug: str) -> Kind:
    try:
        return KINDS[slug]
    except KeyError:
        raise Http404 from None


def display(obj: models.Model, name: str) -> str:
    """The text of one field of ``obj`` as a page shows it (choices by label, yes/no, related names joined)."""
    if obj._meta.get_field(name).many_to_many:
        return "、".join(str(item) for item in getattr(obj, name).all()) or "—"
    return value_text(type(obj), name, getattr(obj, name))
