"""One workflow machine for every status field (DESIGN rule 5).

A workflow is data, declared once per document in its app's `workflows.py` and registered when
the app is ready: `Workflow(model, moves)`, each `Move` naming its sources, its target, the
permission it needs, whether a reason is required, whose work it checks (maker and checker), the
fields it stamps with the actor, a form of extra fields (bank reference, paid date), a guard (the
move's own conditions and the fields it sets) and what follows it (ledger postings...).

`perform_move` is the one function that changes a status: it locks the row, checks the source
status, the permission, the maker/checker rule and the reason (also required when the move's
`warn` finds implausible figures, `audit.plausibility`), runs the guard, saves, writes one
`StatusChange` row and one audit entry, then runs what follows; all in one transaction, so a
refusal anywhere writes nothing. Refusals are `audit.errors` with a message for people. The
admin's buttons and its one move page (`audit.admin.workflow`) read the same declarations, so a
button is offered exactly when the move would be allowed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import events
from audit.choices import AuditAction
from audit.errors import IllegalMove, NotPermitted, RuleError
from audit.models import StatusChange


@dataclass(frozen=True)
class Maker:
    """Someone whose work a move checks, who therefore may not make it: the user in the
    document's foreign key `field`, or the users `ids(document)` returns (say, every scorer)."""

    label: str
    field: str = ""
    ids: Callable[[Model], Iterable[int | None]] | None = None

    def user_ids(self, doc: Model) -> set[int]:
        found = [getattr(doc, f"{self.field}_id")] if self.field else self.ids(doc)
        return {pk for pk in found if pk is not None}


@dataclass(frozen=True)
class Move:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    permission: str = ""  # "app_label.codename"; empty: the workflow's `rule` decides alone
    needs_reason: bool = False
    makers: tuple[Maker, ...] = ()  # maker/checker: none of them may make this move
    stamp: str = ""  # sets `<stamp>_by` to the actor and `<stamp>_at` to now
    clear: str = ""  # empties `<clear>_by` and `<clear>_at` (a document sent back)
    form: type | None = None  # a Django form of the move's extra fields
    guard: Callable[[Step], None] | None = None  # before the save: raise RuleError, set fields
    then: Callable[[Step], None] | None = None  # after the move is recorded
    action: str = AuditAction.TRANSITION  # the audit entry's action
    # figures to look at twice (`audit.plausibility`): any warning requires a stated reason
    warn: Callable[[Model], list[str]] | None = None

    def __post_init__(self):
        object.__setattr__(self, "sources", frozenset(self.sources))


@dataclass
class Step:
    """One move being made, as its guard and what follows see it. The guard may set `reason`
    (what the history keeps), add to `after` (the audit entry's values) and leave `memo` for
    what follows."""

    doc: Model
    move: Move
    actor: object
    reason: str
    data: dict
    request: object
    source: str
    on: dt.date
    after: dict = field(default_factory=dict)
    memo: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Workflow:
    """The moves of one model's status field. `rule(doc, move, actor)` adds who else may not
    move (the insurer side, say) and returns why, or None. `audit_fields` are recorded before
    and after every move."""

    model: str  # "app_label.ModelName"
    moves: tuple[Move, ...]
    rule: Callable[[Model, Move, object], str | None] | None = None
    audit_fields: tuple[str, ...] = ("status",)
    field: str = "status"
    # (name, label) of the history rows `workflow_start` writes for a document born in its first
    # status (a statement submitted, a settlement prepared), so its history names them in words
    starts: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> str:
        return self.model.lower()

    def move(self, name: str) -> Move:
        for move in self.moves:
            if move.name == name:
                return move
        raise IllegalMove(_("未知的操作：%(m)s。") % {"m": name})


_WORKFLOWS: dict[str, Workflow] = {}


def register(*workflows: Workflow) -> None:
    """Declare workflows (from an app's `ready()`), each model once."""
    for workflow in workflows:
        if workflow.label in _WORKFLOWS:
            raise ImproperlyConfigured(f"{workflow.model}: its workflow is declared twice")
        names = [move.name for move in workflow.moves]
        if len(set(names)) != len(names):
            raise ImproperlyConfigured(f"{workflow.model}: a move name is used twice")
        _WORKFLOWS[workflow.label] = workflow


def registered() -> dict[str, Workflow]:
    return dict(_WORKFLOWS)


def workflow_of(model: type[Model] | Model) -> Workflow:
    label = model._meta.label_lower
    try:
        return _WORKFLOWS[label]
    except KeyError:
        raise ImproperlyConfigured(
            f"{label} declares no workflow (its app's workflows.py)"
        ) from None


# --- who may make a move ----------------------------------------------------------------------


def status_label(doc: Model, value: str) -> str:
    """A status value in the user's words."""
    choices = dict(doc._meta.get_field(workflow_of(doc).field).flatchoices)
    return str(choices.get(value, value or "-"))


def moves_from(doc: Model) -> list[Move]:
    """The moves legal from the document's current status."""
    workflow = workflow_of(doc)
    status = getattr(doc, workflow.field)
    return [move for move in workflow.moves if status in move.sources]


def refusal(doc: Model, move: Move, actor) -> str | None:
    """Why `actor` may not make `move` on `doc` (permission, the workflow's rule, maker and
    checker), or None. The status is not looked at: see `moves_from`."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return _("请先登录。")
    if move.permission and not actor.has_perm(move.permission):
        return _("您没有「%(m)s」的权限。") % {"m": move.label}
    rule = workflow_of(doc).rule
    why = rule(doc, move, actor) if rule is not None else None
    if why:
        return why
    makers = [str(m.label) for m in move.makers if actor.pk in m.user_ids(doc)]
    if makers:
        who = "、".join(dict.fromkeys(makers))
        return _("「%(m)s」须由%(who)s以外的另一人审批：%(who)s不能审批自己经办的事项。") % {
            "m": move.label,
            "who": who,
        }
    return None


def move_warnings(doc: Model, move: Move) -> list[str]:
    """What looks implausible about the document's figures before `move` (its `warn`)."""
    return list(move.warn(doc)) if move.warn is not None else []


def reason_if_warned(doc: Model, move: str, reason: str) -> str:
    """For a replayed flow (the demo, a simulated year) that goes on whatever its figures:
    `reason` when the move would warn, else nothing, so the history shows the warning was seen."""
    return reason if move_warnings(doc, workflow_of(doc).move(move)) else ""


def allowed_moves(doc: Model, user) -> list[Move]:
    """The moves legal from the document's status that `user` may make (its page's buttons)."""
    return [move for move in moves_from(doc) if refusal(doc, move, user) is None]


def require_permission(actor, permission: str, what: str) -> None:
    """For writes that are not moves (creating a document, recomputing one): the permission or a
    refusal naming what was asked."""
    if actor is None or not actor.has_perm(permission):
        raise NotPermitted(_("您没有「%(w)s」的权限。") % {"w": what})


# --- making a move ----------------------------------------------------------------------------


def _plain(value):
    """A field's value as the audit log keeps it (JSON): a row by its id, dates and amounts as
    text."""
    if value is None or isinstance(value, bool | int | str):
        return value
    return value.pk if isinstance(value, Model) else str(value)


def _values(doc: Model, names: tuple[str, ...]) -> dict:
    return {name: _plain(getattr(doc, name)) for name in names}


def _record(doc: Model, *, move: str, source: str, actor, on: dt.date, reason: str) -> None:
    StatusChange.objects.create(
        content_type=ContentType.objects.get_for_model(doc),
        object_id=doc.pk,
        move=move,
        from_status=source,
        to_status=getattr(doc, workflow_of(doc).field),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        effective_on=on,
        reason=reason,
    )


def _stamp(doc: Model, prefix: str, actor, now) -> None:
    setattr(doc, f"{prefix}_by", actor)
    setattr(doc, f"{prefix}_at", now)


@transaction.atomic
def perform_move(
    *, doc: Model, move: str, actor, reason: str = "", data: dict | None = None, request=None
) -> Model:
    """Make `move` on `doc` for `actor` (see the module doc); returns the document as saved.

    `data` carries the move's extra fields (its form's cleaned data; `on`, the business date,
    defaults to today). Refused, in this order: an unknown move or one not legal from the
    current status (`IllegalMove`, naming the moves that are), a missing permission, the
    workflow's rule or maker/checker (`NotPermitted`), a missing reason and the guard's own
    conditions (`RuleError`)."""
    workflow = workflow_of(doc)
    spec = workflow.move(move)
    doc = type(doc)._default_manager.select_for_update().get(pk=doc.pk)
    source = getattr(doc, workflow.field)
    if source not in spec.sources:
        legal = "、".join(str(m.label) for m in moves_from(doc)) or _("无")
        raise IllegalMove(
            _("「%(doc)s」当前状态为「%(s)s」，不能「%(m)s」。可执行的操作：%(legal)s。")
            % {"doc": doc, "s": status_label(doc, source), "m": spec.label, "legal": legal}
        )
    why = refusal(doc, spec, actor)
    if why:
        raise NotPermitted(why)
    data = dict(data or {})
    step = Step(
        doc=doc,
        move=spec,
        actor=actor,
        reason=(reason or "").strip(),
        data=data,
        request=request,
        source=source,
        on=data.get("on") or timezone.localdate(),
    )
    if spec.needs_reason and not step.reason:
        raise RuleError(_("「%(m)s」必须填写理由（原因）。") % {"m": spec.label})
    warnings = move_warnings(doc, spec)
    if warnings and not step.reason:
        raise RuleError(
            _("「%(m)s」的数字需要核实：%(w)s。如确认无误，请填写继续办理的理由。")
            % {"m": spec.label, "w": "；".join(warnings)}
        )
    if warnings:
        step.after["warnings"] = warnings  # kept beside the reason in the audit entry
    before = _values(doc, workflow.audit_fields)
    now = timezone.now()
    if spec.clear:
        _stamp(doc, spec.clear, None, None)
    if spec.stamp:
        _stamp(doc, spec.stamp, actor, now)
    if spec.guard is not None:
        spec.guard(step)
    setattr(doc, workflow.field, spec.target)
    doc.save()
    _record(doc, move=spec.name, source=source, actor=actor, on=step.on, reason=step.reason)
    events.change(
        actor=actor,
        obj=doc,
        action=spec.action,
        before=before,
        after={**_values(doc, workflow.audit_fields), **step.after},
        summary=f"{doc._meta.verbose_name} {doc}：{spec.label}",
        reason=step.reason,
        request=request,
    )
    if spec.then is not None:
        spec.then(step)
    return doc


def workflow_start(*, doc: Model, move: str, actor, reason: str = "") -> None:
    """The history row of a document born in (or prepared again into) its first status, e.g. a
    statement submitted or a settlement prepared: the service that makes it writes its own
    audit entry (what it was made with). `move` is one of the workflow's `starts` or moves."""
    workflow = workflow_of(doc)
    if move not in dict(workflow.starts) and move not in {m.name for m in workflow.moves}:
        raise ImproperlyConfigured(f"{workflow.model}: {move} is neither a start nor a move")
    _record(doc, move=move, source="", actor=actor, on=timezone.localdate(), reason=reason)


def history(doc: Model) -> list[dict]:
    """The document's status changes for its page: when, move, from and to in words, who, why."""
    workflow = workflow_of(doc)
    labels = {**dict(workflow.starts), **{move.name: move.label for move in workflow.moves}}
    return [
        {
            "at": change.at,
            "effective_on": change.effective_on,
            "move": labels.get(change.move, change.move),
            "from": status_label(doc, change.from_status),
            "to": status_label(doc, change.to_status),
            "actor": change.actor,
            "reason": change.reason,
        }
        for change in doc.history.select_related("actor")
    ]
