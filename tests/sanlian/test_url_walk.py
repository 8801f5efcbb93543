"""Every URL pattern of the portal, walked as each role: no view answers 500, every object a view hands its
template is one ``Model.objects.for_user(user)`` allows, and an object outside a user's scope is not found (404).

The URL list comes from the resolver, so a new view is walked without editing this test: a ``<int:pk>`` is tried
with the primary keys of the model named in ``PK_MODELS`` (by URL name) or, for a view not named there, with the
keys of every scoped model in the world.
"""

from datetime import date

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser, User
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models.query import QuerySet
from django.forms import BaseForm, BaseFormSet, ModelChoiceField
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from activities.models import ActivityEvidence, Campaign, OwnActivity, RosterMember
from evaluation.models import Nomination, Round
from evaluation.scoring import create_round, publish
from meetings.models import Bulletin, Decision, Document, Invitation, JointMeeting
from projects.instructions import reply_to_instruction, write_instruction
from projects.models import (ActivityOutcome, Attachment, CalendarFeed, Instruction, InstructionFile, Notification,
                             ProgressUpdate, Project)
from reports.demo import seed_demo
from reports.models import OrganisationRecord, ReportBuild, TargetDefinition
from sanlian.access import has_rule
from societies.access import district_of, society_of
from societies.choices import Role
from societies.models import District, Society
from tests import factories

pytestmark = pytest.mark.django_db

# Which model a view's ``pk`` names, by URL name ("namespace:name").
PK_MODELS = {
    "meetings:detail": JointMeeting, "meetings:answer": JointMeeting, "meetings:attendance": JointMeeting,
    "meetings:minutes": JointMeeting, "meetings:decision_add": JointMeeting, "meetings:document_upload": JointMeeting,
    "meetings:decision_status": Decision, "meetings:document": Document, "meetings:bulletin": Bulletin,
    "projects:detail": Project, "projects:edit": Project, "projects:delete": Project, "projects:status": Project,
    "projects:update_post": Project, "projects:task_force": Project, "projects:outcome_create": Project,
    "projects:attachment": Attachment, "projects:outcome": ActivityOutcome,
    "projects:instruction_create": Project, "projects:instruction": Instruction,
    "projects:instruction_reply": Instruction, "projects:instruction_done": Instruction,
    "projects:instruction_file": InstructionFile,
    "projects:notification_read": Notification, "reports:record": OrganisationRecord,
    "reports:review": ActivityOutcome,
    "reports:halfyear_status": ReportBuild, "reports:halfyear_download": ReportBuild,
    "activities:detail": OwnActivity, "activities:edit": OwnActivity, "activities:evidence": ActivityEvidence,
    "activities:campaign_import": Campaign, "activities:roster_edit": RosterMember,
    "activities:roster_delete": RosterMember, "activities:district_xlsx": District,
    **{"evaluation:" + name: Round for name in ("round", "scheme", "unit", "mark", "publish", "xlsx", "docx")},
    "evaluation:nomination": Nomination, "evaluation:nomination_step": Nomination,
    "projects:cancel_decide": Project, "projects:update_edit": ProgressUpdate, "projects:update_delete": ProgressUpdate,
    "projects:outcome_edit": ActivityOutcome, "reports:record_edit": OrganisationRecord,
}
# Values of the other path parameters, by parameter name (a wrong value must give 404, never 500).
OTHER_VALUES = {
    "kind": ["societies", "districts", "upper-units", "partners", "experts", "contacts", "xlsx", "docx", "nope"],
    "code": ["T1", "T4", "nope"], "what": ["outcome", "nope"], "token": ["nope"],
    "invitation": [], "object_id": [], "app_label": [], "url": [],
}
SKIP = {"logout", "admin:logout", "set_language", "javascript-catalog"}


def _patterns(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            name = ":".join(filter(None, [namespace, entry.namespace]))
            yield from _patterns(entry, prefix + str(entry.pattern), name)
        elif isinstance(entry, URLPattern) and entry.name:
            yield ":".join(filter(None, [namespace, entry.name])), prefix + str(entry.pattern), entry.pattern.converters


def _fill(route: str, values: dict) -> str:
    for name, value in values.items():
        route = route.replace("<{}>".format(name), str(value))
        route = next((route.replace("<{}:{}>".format(kind, name), str(value))
                      for kind in ("int", "str", "slug", "path") if "<{}:{}>".format(kind, name) in route), route)
    return "/" + route.lstrip("^").rstrip("$")


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    seed_demo(projects=12, seed=3, year=timezone.localdate().year)
    users = {role: User.objects.get(username=role) for role in ("secretariat", "society", "district", "leader")}
    own = society_of(users["society"])
    other = Society.objects.exclude(pk=own.pk).first()
    users["other"] = factories.user(Role.SOCIETY, username="other-contact", society=other)
    mine = Project.objects.filter(society=own).first() or factories.project(
        society=own)
    theirs = Project.objects.filter(society=other).first() or factories.project(society=other)
    for project, owner in ((mine, users["society"]), (theirs, users["other"])):
        update = ProgressUpdate.objects.create(project=project, author=owner, text="进展", happened_on=date.today())
        Attachment.objects.create(project=project, update=update, file=ContentFile(b"%PDF-1.4\n", name="a.pdf"),
                                  original_name="a.pdf", content_type="application/pdf", size=9, uploaded_by=owner)
    for project, owner in ((mine, users["society"]), (theirs, users["other"])):
        instruction = write_instruction(project, user=users["leader"], text="批示")
        reply_to_instruction(instruction, user=owner, text="答复", files=[ContentFile(b"%PDF-1.4\n", name="r.pdf")])
    meeting = JointMeeting.objects.create(half="{}H1".format(date.today().year), held_on=date.today())
    invitation = Invitation.objects.create(meeting=meeting, society=own)
    Decision.objects.create(meeting=meeting, text="报送材料", society=own)
    Document.objects.create(meeting=meeting, society=own, file=ContentFile(b"%PDF-1.4\n", name="d.pdf"),
                            original_name="d.pdf", content_type="application/pdf", size=9, uploaded_by=users["society"])
    Bulletin.objects.create(title="公开简报", body="<p>内容</p>", is_public=True)
    Bulletin.objects.create(title="内部简报", body="<p>内容</p>", society=own)
    for user in users.values():
        Notification.objects.create(recipient=user, kind="test", title="通知", body="内容", url="/")
        CalendarFeed.objects.create(user=user)
    ReportBuild.objects.create(half="{}H1".format(date.today().year), status="done", requested_by=users["secretariat"])
    for unit in ({"society": own}, {"district": district_of(users["district"])}):
        activity = OwnActivity.objects.create(title="自主活动", held_on=date.today(), **unit)
        ActivityEvidence.objects.create(activity=activity, file=ContentFile(b"%PDF-1.4\n", name="e.pdf"),
                                        original_name="e.pdf", content_type="application/pdf", size=9)
    year = date.today().year
    create_round(name="草稿轮次", year=year, half=0, evaluated="both", user=users["secretariat"])
    publish(create_round(name="已公布轮次", year=year, half=0, evaluated="both", user=None), user=users["secretariat"])
    Nomination.objects.create(year=year, nominee_kind="unit", society=own, reasons="突出", nominated_by=users["society"])
    OTHER_VALUES["invitation"] = [invitation.pk]
    users["anonymous"] = AnonymousUser()
    return users


def _scoped_models():
    return [model for model in apps.get_models() if has_rule(model)]


def _sample(model, user, count: int) -> list[tuple]:
    """A few objects of ``model`` the user may see and a few the user may not (when there are any)."""
    visible = model.objects.for_user(user) if user.is_authenticated else model.objects.none()
    rows = list(visible.order_by("pk").values_list("pk", flat=True)[:count])
    rows += model.objects.exclude(pk__in=visible.values("pk")).order_by("pk").values_list("pk", flat=True)[:count]
    return [(model, pk) for pk in rows]


def _candidates(name: str, converters: dict, user) -> list[dict]:
    """Parameter sets to try for one URL pattern: objects of the view's model in and out of the user's scope (or,
    for a view ``PK_MODELS`` does not name, one of each scoped model), and an id that does not exist."""
    sets = [{}]
    for param in converters:
        if param == "pk":
            if name in PK_MODELS:
                values = _sample(PK_MODELS[name], user, 3)
            else:
                values = [pair for model in _scoped_models() for pair in _sample(model, user, 1)]
            values.append((None, 2_147_483_647))
            sets = [dict(s, pk=pk, _model=model) for s in sets for model, pk in values]
        else:
            values = OTHER_VALUES.get(param, ["nope"])
            sets = [dict(s, **{param: value}) for s in sets for value in (values or ["1"])]
    return sets


def _objects(value, depth: int = 0):
    """The model instances a template receives in ``value`` (lists, pages, querysets, forms and their choices)."""
    if depth > 3:
        return
    if isinstance(value, models.Model):
        yield value
    elif isinstance(value, QuerySet):
        yield from value[:200]
    elif isinstance(value, BaseForm):
        if getattr(value, "instance", None) is not None and value.instance.pk:
            yield value.instance
        for field in value.fields.values():
            if isinstance(field, ModelChoiceField):
                yield from field.queryset[:200]
    elif isinstance(value, BaseFormSet):
        for form in value.forms:
            yield from _objects(form, depth + 1)
    elif isinstance(value, (list, tuple, set)) or type(value).__name__ == "Page":
        for item in list(value)[:200]:
            yield from _objects(item, depth + 1)
    elif isinstance(value, dict):
        for item in list(value.values())[:200]:
            yield from _objects(item, depth + 1)


def _received(response) -> dict[type, set]:
    found: dict[type, set] = {}
    contexts = response.context or []
    # The page's own context as the view gave it (the first template rendered), not the loop variables of includes.
    for context in [contexts] if hasattr(contexts, "flatten") else contexts[:1]:
        for key, value in (context.flatten() if hasattr(context, "flatten") else context).items():
            if key in ("user", "request", "perms", "portal", "view"):
                continue
            for obj in _objects(value):
                model = obj._meta.concrete_model if obj._meta.proxy else type(obj)
                if has_rule(model):
                    found.setdefault(model, set()).add(obj.pk)
    return found


def _visible(model, user, pks) -> set:
    return set(model.objects.for_user(user).filter(pk__in=pks).values_list("pk", flat=True))


@pytest.mark.parametrize("role", ["secretariat", "society", "district", "leader", "anonymous", "other"])
def test_every_url_for_every_role(role, world, client):
    user = world[role]
    if role != "anonymous":
        client.force_login(user)
    problems, walked = [], 0
    for name, route, converters in _patterns(get_resolver()):
        if name in SKIP or name.startswith("admin:") and role != "secretariat":
            continue
        for params in _candidates(name, converters, user):
            model = params.pop("_model", None)
            url = _fill(route, params)
            walked += 1
            response = client.get(url)
            if response.status_code >= 500:
                problems.append("GET {} as {}: {}".format(url, role, response.status_code))
                continue
            for scoped, pks in _received(response).items():
                if unseen := pks - _visible(scoped, user, pks):
                    problems.append("GET {} as {} hands over {} {}".format(url, role, scoped.__name__, sorted(unseen)))
            if outsider := (model is not None and name in PK_MODELS and role != "anonymous"
                            and not _visible(model, user, [params["pk"]])) and response.status_code not in (404, 405):
                problems.append("GET {} as {}: {} for an object outside the scope".format(
                    url, role, response.status_code))
            with transaction.atomic():  # an empty post: refused or done, but never a 500; undone afterwards
                answer = client.post(url, {})
                transaction.set_rollback(True)
            if answer.status_code >= 500:
                problems.append("POST {} as {}: {}".format(url, role, answer.status_code))
            if outsider and answer.status_code not in (404, 405):
                problems.append("POST {} as {}: {} for an object outside the scope".format(
                    url, role, answer.status_code))
    assert walked > 200
    assert not problems, "\n".join(problems[:40])


def test_the_walk_covers_every_url_name():
    """The names this test knows about exist, so a renamed view cannot silently fall back to the slow path."""
    names = {name for name, _route, _converters in _patterns(get_resolver())}
    assert set(PK_MODELS) <= names
    assert TargetDefinition.objects.model is TargetDefinition and "reports:target" in names
