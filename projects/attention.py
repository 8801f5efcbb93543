"""Attention where it is due: who is told when something happens to a project outside the daily reminders (a
project created for or moved to a society; a project linked to a district; a project delayed by its society).

Each function writes its notifications through ``projects.notifications`` in the caller's transaction.
"""

from datetime import date

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from sanlian.display import person_name
from societies.access import users_with_role
from societies.choices import Role

from .choices import NotificationLevel
from .models import Project
from .notifications import existing_keys, ledger_key, message_for, people, send_batch, send_bundles

ASSIGNED = "project_assigned"
DELAYED = "project_delayed"
LINKED = "project_linked"
LINK_DATE = date(2000, 1, 1)  # the ledger key's fixed date: a district is told of a project once, whenever linked


def _who(user: User | None) -> str:
    return person_name(user, gettext("the system"))


def tell_society_of_project(project: Project, *, user: User | None) -> dict:
    """Tell the contact accounts of the project's society that the project is now theirs (created for them, or
    moved to them). Returns the counts of ``send_batch``."""
    accounts = User.objects.filter(is_active=True, groups__name=Role.SOCIETY, profile__society=project.society_id)
    with translation.override(settings.LANGUAGE_CODE):
        title = gettext("New project for {society}: {title}").format(society=project.society.name,
                                                                    title=project.title)
        body = gettext("{who} put the project “{title}” (due {due_text}) on the list of {society}. Please check "
                       "its task force and post its progress as it goes.").format(
            who=_who(user), title=project.title, due_text=project.due_text or "-", society=project.society.name)
    return send_batch([(None, message_for(recipient, kind=ASSIGNED, level=NotificationLevel.INFO, title=title,
                                          body=body, url=project.get_absolute_url()))
                       for recipient in people(accounts.order_by("pk"))])


def tell_secretariat_of_delay(project: Project, *, user: User | None) -> dict:
    """Tell the secretariat that ``project`` was delayed, with the reason and the new date (once per new date)."""
    with translation.override(settings.LANGUAGE_CODE):
        title = gettext("Delayed to {date}: {title}").format(date=project.delayed_to.isoformat(), title=project.title)
        body = gettext("{who} set the project “{title}” ({society}) to “Delayed”, with the new expected date "
                       "{date}. Reason: {reason}").format(
            who=_who(user), title=project.title, society=project.society.name, date=project.delayed_to.isoformat(),
            reason=project.delay_reason)
    return send_batch([(ledger_key(project, project.pk, DELAYED, 0, project.delayed_to, recipient.key),
                        message_for(recipient, kind=DELAYED, level=NotificationLevel.ORANGE, title=title, body=body,
                                    url=project.get_absolute_url()))
                       for recipient in people(users_with_role(Role.SECRETARIAT))])


def tell_districts_of_project(project: Project, district_ids, *, user: User | None) -> dict:
    """Tell the contact accounts of the districts ``district_ids`` that ``project`` is now linked to their district;
    once per (project, district, person): the ledger keeps the key, so unlinking and linking again tells nobody
    twice. Returns the counts of ``send_batch``."""
    district_ids = list(district_ids)
    if not district_ids:
        return {}
    accounts = User.objects.filter(is_active=True, groups__name=Role.DISTRICT, profile__district__in=district_ids
                                   ).select_related("profile__district").order_by("pk")
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for account in accounts:
            district = account.profile.district
            title = gettext("Project linked to {district}: {title}").format(district=district.name, title=project.title)
            body = gettext("{who} linked the project “{title}” of {society} (due {due_text}) to {district}. You can "
                           "follow it on its page and under “My projects”.").format(
                who=_who(user), title=project.title, society=project.society.name, due_text=project.due_text or "-",
                district=district.name)
            [recipient] = people([account])
            # a contact account has one district: (project, person) is the link's key
            messages.append((ledger_key(project, project.pk, LINKED, 0, LINK_DATE, recipient.key),
                             message_for(recipient, kind=LINKED, level=NotificationLevel.INFO, title=title, body=body,
                                         url=project.get_absolute_url())))
    return send_batch(messages)


IMPORT_LIST_MAX = 30  # project titles listed in an import's message; the rest are counted


def _listing(projects: list[Project]) -> str:
    lines = ["- {}（{}）".format(project.title, project.due_text or "-") for project in projects[:IMPORT_LIST_MAX]]
    if len(projects) > IMPORT_LIST_MAX:
        lines.append(gettext("… and {count} more").format(count=len(projects) - IMPORT_LIST_MAX))
    return "\n".join(lines)


def tell_of_import(*, new_project_ids, district_links, user: User | None) -> dict:
    """After an import of the list: each contact account of a society gets one message listing the projects the
    import created for their society, and each contact account of a district one message listing the projects
    newly linked to their district (each (project, person) once, keyed as ``tell_districts_of_project`` keys it)
    — one message per person, not one per project. A fixed number of queries. Returns ``send_bundles``' counts."""
    new_project_ids, district_links = set(new_project_ids), set(district_links)
    ids = new_project_ids | {project_id for project_id, _district in district_links}
    if not ids:
        return {}
    projects = Project.objects.filter(pk__in=ids).select_related("society").order_by("position", "pk")
    linked: dict[int, list[int]] = {}
    for project_id, district_id in district_links:
        linked.setdefault(project_id, []).append(district_id)
    by_society: dict[int, list[Project]] = {}
    by_district: dict[int, list[Project]] = {}
    for project in projects:
        if project.pk in new_project_ids:
            by_society.setdefault(project.society_id, []).append(project)
        for district_id in linked.get(project.pk, ()):
            by_district.setdefault(district_id, []).append(project)
    accounts = User.objects.filter(is_active=True, groups__name__in=[Role.SOCIETY, Role.DISTRICT]).filter(
        Q(profile__society__in=list(by_society)) | Q(profile__district__in=list(by_district))
    ).select_related("profile__society", "profile__district").distinct().order_by("pk")
    societies, districts = [], []  # (recipient, society, projects); (recipient, district, {key: project})
    for account in accounts:
        [recipient] = people([account])
        profile = account.profile
        if profile.society_id in by_society:
            societies.append((recipient, profile.society, by_society[profile.society_id]))
        if profile.district_id in by_district:
            districts.append((recipient, profile.district, {
                ledger_key(project, project.pk, LINKED, 0, LINK_DATE, recipient.key): project
                for project in by_district[profile.district_id]}))
    taken = existing_keys([key for _recipient, _district, keyed in districts for key in keyed])
    mine, bundles = reverse("projects:mine"), []
    with translation.override(settings.LANGUAGE_CODE):
        for recipient, society, found in societies:
            title = gettext("{count} new projects for {society} from the imported list").format(
                count=len(found), society=society.name)
            body = gettext("{who} imported the list; these projects are now {society}'s. Please check their task "
                           "forces and post their progress as they go:").format(who=_who(user), society=society.name)
            bundles.append(([], message_for(recipient, kind=ASSIGNED, level=NotificationLevel.INFO, title=title,
                                            body=body + "\n" + _listing(found), url=mine)))
        for recipient, district, keyed in districts:
            fresh = [key for key in keyed if key not in taken]
            if not fresh:
                continue
            found = [keyed[key] for key in fresh]
            title = gettext("{count} projects of the imported list linked to {district}").format(
                count=len(found), district=district.name)
            body = gettext("{who} imported the list; these projects are now linked to {district}. You can follow "
                           "them under “My projects”:").format(who=_who(user), district=district.name)
            bundles.append((fresh, message_for(recipient, kind=LINKED, level=NotificationLevel.INFO, title=title,
                                               body=body + "\n" + _listing(found), url=mine)))
    return send_bundles(bundles) if bundles else {}
