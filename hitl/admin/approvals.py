"""The approval console: the queue, the approval page and its decisions, and the bulk actions.

Every decision goes through hitl.services.verbs, with the same rules as the API.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from unfold.decorators import display

from agents import action_specs
from core.admin_changelist import OncePerPageChangeListMixin, label_cell
from core.estimated_count import EstimatedCountPaginator
from hitl import inbox, payoff, presentation, rules, timeline
from hitl.access import may, may_decide
from hitl.admin.filters import ActionTypeFilter, AgentTypeFilter, AskedByFilter, OutcomeOverdueFilter, QueueFilter
from hitl.errors import DecisionError, StepUpRequired
from hitl.models import ApprovalStatus, HITLApproval, HITLDecision
from hitl.payoff import words as payoff_words
from hitl.resources import ApprovalResource
from hitl.services import outside_results, standing, verbs
from hitl.services.execution import stuck_since
from hitl.services.verbs import Door
from tenants.access import Need
from tenants.admin_scoping import TenantOwnedAdmin
from tenants.exports import StreamingCsvExportMixin
from tenants.identity.signin.step_up import asked_to_show, last_factor, step_up_url
from tenants.privacy.admin_reveal import RevealAdminMixin
from tenants.privacy.audit import Origin, may_see_pii, record_access
from tenants.templatetags.walker_l10n import money

RISK_COLOURS = {"low": "success", "medium": "info", "high": "warning", "critical": "danger"}
STATUS_COLOURS = {
    "pending": "warning", "approved": "info", "executing": "info", "executed": "success",
    "failed": "danger", "rejected": "danger", "expired": "warning", "cancelled": "info", "superseded": "info",
    "revising": "warning",
}  # fmt: skip
RISK_LABEL, STATUS_LABEL = label_cell(RISK_COLOURS), label_cell(STATUS_COLOURS)


DEFAULT_NOTES = {"escalate": _("Escalated from the console.")}  # what the page records when nothing was typed
# A decision's form kept while its person shows a second factor (step-up), taken when they come back having shown it.
HELD_DECISION_KEY = "walker_step_up_decision"
HELD_MINUTES = 10  # how long a decision waits for its second factor before it is dropped, never taken
THEN = "then"  # "?then=next" on the decide URL: after the decision, the next approval waiting for this person


def _origin(request) -> Origin:
    return Origin.of_request(request, via=HITLDecision.Via.ADMIN, factor=last_factor(request, request.user))


@admin.register(HITLApproval)
class HITLApprovalAdmin(RevealAdminMixin, StreamingCsvExportMixin, OncePerPageChangeListMixin, TenantOwnedAdmin):
    list_display = [
        "reference", "summary", "requester", "words", "age", "action_type", "risk", "effect", "cost", "status_badge",
        "sla", "assignee", "level",
    ]  # fmt: skip
    list_display_links = ["reference", "summary"]
    list_filter = [
        QueueFilter, "status", "risk_level", "sla_breached", ActionTypeFilter, AgentTypeFilter, AskedByFilter,
        OutcomeOverdueFilter,
    ]  # fmt: skip
    list_select_related = ["assigned_to", "requested_by", "source_message", "agent", "outside_request"]
    search_fields = ["reference", "action_summary"]
    ordering = inbox.most_urgent_first()
    show_full_result_count = False
    paginator = EstimatedCountPaginator  # a million rows: their count estimated past 10,000 (core.estimated_count)
    list_per_page = 25  # the most urgent 25: at 50 the rows were two thirds of a big tenant's page (bench/RESULTS.md)
    actions = ["approve_selected", "reject_selected", "escalate_selected", "retry_selected", "requeue_selected"]
    resource_classes = [ApprovalResource]  # "Export": the queue as filtered, as CSV
    export_name = "approvals"
    inlines = []  # history, decisions and notifications read as timelines (approval_record.html)
    change_form_outer_before_template = "admin/hitl/approval_panel.html"
    change_form_outer_after_template = "admin/hitl/approval_record.html"
    fieldsets = [
        (_("Request"), {"fields": ["reference", "status", "summary_shown", "agent", "requester", "requested_at",
                                "conflicts"]}),
        (_("Progress"), {"fields": ["workflow_shown", "approval_level", "total_levels", "assignee", "sla_deadline"]}),
        (_("Outcome"), {"fields": ["approved_by", "approved_at", "rejected_by", "rejection_reason", "executed_at",
                                "execution_status", "execution_error", "outcome_due"]}),
    ]  # fmt: skip

    def get_export_queryset(self, request):
        return ApprovalResource.prepared(super().get_export_queryset(request))

    def get_export_resource_kwargs(self, request, **kwargs):
        """People masked but for the reader's own address (the console's export never reveals)."""
        return {**super().get_export_resource_kwargs(request, **kwargs), "viewer": request.user}

    def get_object(self, request, object_id, from_field=None):
        """Loaded once per request: the change page, its panel and its decide form all ask for it."""
        loaded = request.__dict__.setdefault("_approvals_loaded", {})
        key = (object_id, from_field)
        if key not in loaded:
            loaded[key] = super().get_object(request, object_id, from_field)
        return loaded[key]

    def get_changelist_instance(self, request):
        """The list knows which queue it shows: its empty state says "nothing waits for you", not "no results"."""
        changelist = super().get_changelist_instance(request)
        changelist.queue = next((f.value() for f in changelist.filter_specs if isinstance(f, QueueFilter)), None)
        return changelist

    def get_list_filter(self, request):
        filters = list(self.list_filter)
        return [*filters, "tenant"] if request.user.is_superuser else filters

    def get_readonly_fields(self, request, obj=None):
        return [field for fieldset in self.fieldsets for field in fieldset[1]["fields"]]

    def has_add_permission(self, request):
        return False  # approvals come from agents through the tool gateway

    def has_change_permission(self, request, obj=None):
        return False  # decisions have their own buttons; nothing is edited as a form

    def has_delete_permission(self, request, obj=None):
        return False

    @display(description=_("conflicts with"))
    def conflicts(self, obj):
        """Other approvals for the same target: the one this superseded when filed, and the one that superseded it."""
        others = [obj.related_to] if obj.related_to_id else []
        others += list(obj.conflicting.all())
        if not others:
            return "—"
        links = [
            format_html(
                '<a href="{}">{}</a> ({}): {}',
                reverse("admin:hitl_hitlapproval_change", args=[other.pk]),
                other.reference,
                other.get_status_display().lower(),
                other.summary,
            )
            for other in others
        ]
        return format_html_join(mark_safe("<br>"), "{}", ((link,) for link in links))

    # --- columns ---------------------------------------------------------------------------

    @display(description=_("requested by"), ordering="requested_by__first_name")
    def requester(self, obj):
        return presentation.requester_name(obj)

    @display(description=_("what they said"))
    def words(self, obj):
        """The asking message's words, personal data as placeholders (nothing decrypted for the list)."""
        return presentation.excerpt(presentation.requester_words(obj), 90) or "—"

    @display(description=_("age"), ordering="-requested_at")
    def age(self, obj):
        return format_html(
            '<span title="{}">{}</span>', obj.requested_at.isoformat(), timesince(obj.requested_at, depth=1)
        )

    @display(description=_("workflow"))
    def workflow_shown(self, obj):
        """The workflow it was routed by: a tenant's, or the built-in default (no row; its name in the snapshot)."""
        if obj.workflow_id:
            return obj.workflow.name
        return str(rules.told_name(obj.workflow_snapshot["name"])) if obj.workflow_snapshot.get("name") else "—"

    @display(description=_("summary"))
    def summary(self, obj):
        """In the reader's language (hitl.summaries); search reads the stored one."""
        shown = obj.summary
        return shown if len(shown) <= 70 else f"{shown[:67]}…"

    @display(description=_("action summary"))
    def summary_shown(self, obj):
        return obj.summary

    @display(description=_("risk"), ordering="risk_score")
    def risk(self, obj):
        return RISK_LABEL(obj.risk_level, obj.get_risk_level_display())

    @display(description=_("what this will do"))
    def effect(self, obj):
        return presentation.effect(obj) or "—"

    @display(description=_("cost"), ordering="estimated_cost")
    def cost(self, obj):
        return money(obj.estimated_cost, 0, currency=obj.currency)

    @display(description=_("status"), ordering="status")
    def status_badge(self, obj):
        return STATUS_LABEL(obj.status, obj.get_status_display())

    @display(description=_("outcome report"))
    def outcome_due(self, obj):
        """An outside agent carries the action out and reports how it went; a report long missing is flagged."""
        if not outside_results.is_overdue(obj):
            return "—"
        late = gettext("Overdue: approved %(ago)s ago and %(agent)s has not reported the outcome.") % {
            "ago": timesince(obj.approved_at, depth=1),
            "agent": obj.outside.agent_name,
        }
        return format_html('<span class="text-red-600 font-semibold">{}</span>', late)

    @display(description=_("SLA"), ordering="sla_deadline")
    def sla(self, obj):
        if obj.sla_breached:
            return format_html('<span class="text-red-600 font-semibold">{}</span>', gettext("breached"))
        if not obj.is_pending or obj.sla_deadline is None:
            return "—"
        left = obj.sla_deadline - timezone.now()
        # static/admin/walker-sla.js counts down from data-sla-deadline; this text is what it starts from.
        if left.total_seconds() <= 0:
            text, classes = gettext("due now"), "text-red-600 font-semibold"
        else:
            hours, rest = divmod(int(left.total_seconds()), 3600)
            minutes = rest // 60
            if hours:
                text = gettext("%(hours)s h %(minutes)s min left") % {"hours": hours, "minutes": minutes}
            else:
                text = gettext("%(minutes)s min left") % {"minutes": minutes}
            classes = "text-orange-600 font-semibold" if left.total_seconds() < 3600 else ""
        return format_html(
            '<span class="{}" data-sla-deadline="{}" data-testid="sla">{}</span>',
            classes,
            obj.sla_deadline.isoformat(),
            text,
        )

    @display(description=_("assigned to"))
    def assignee(self, obj):
        if obj.assigned_to_id:
            return obj.assigned_to.get_full_name()
        if not obj.is_pending:
            return "—"
        level = obj.workflow_snapshot.get("approval_levels", [{}])[obj.approval_level - 1 : obj.approval_level]
        return str(rules.told_name(level[0]["name"])) if level and level[0].get("name") else gettext("approvers")

    @display(description=_("level"))
    def level(self, obj):
        return gettext("%(level)s of %(levels)s") % {"level": obj.approval_level, "levels": obj.total_levels}

    # --- the approval page ----------------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        approval = self.get_object(request, object_id)
        extra = {}
        if approval is not None:
            extra = {
                "approval": approval,
                "changes": presentation.proposed_changes(approval),
                "risk_factors": presentation.risk_factors(approval),
                **self._args_context(request, approval),
                "action_label": presentation.action_label(approval),
                "cost": presentation.cost_in_money(approval),  # "not estimated" rather than "$0.00"
                "effect": presentation.effect(approval),
                "edit_fields": presentation.edit_fields(approval),
                "can_decide": (can_decide := approval.is_pending and may_decide(request.user, approval)),
                "can_respond": can_decide and approval.conversation_id is not None and approval.agent_id is not None,
                "standing_offered": can_decide and bool(approval.target_key),
                "standing_budget": action_specs.moves_budgets(approval.action_type),
                "standing_max_hours": standing.MAX_HOURS,
                "standing_max_uses": standing.MAX_USES,
                "decide_url": reverse("admin:hitl_hitlapproval_decide", args=[approval.pk]),
                "holder": timeline.holder(approval),
                "publication": presentation.publication(approval),
                "excerpt": timeline.excerpt(approval, request.user, Origin.of_request(request)),
                "timeline": timeline.history(approval),
                "decision_log": timeline.decisions(approval),
                "notices": timeline.notifications(approval),
                "payoff": payoff_words.shown(payoff.measure_one(approval)),
                **self._execution_context(request, approval),
            }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def _args_context(self, request, approval) -> dict:
        """The action's details; an outside agent's args with their personal data masked unless revealed with a
        reason (tenants.privacy.admin_reveal), a reveal recorded in the access log as a message's is."""
        masked = presentation.action_details(approval)
        if approval.outside is None:
            return {"details": masked}
        allowed = may_see_pii(request.user, approval.tenant)
        reason = self.revealed_reason(request, approval) if allowed else None
        if reason is not None:
            record_access(request, approval, tenant=approval.tenant, revealed=True, reason=reason)
        whole = presentation.action_details(approval, revealed=True)
        return {
            "details": whole if reason is not None else masked,
            "args_masked": masked != whole,
            "pii_allowed": allowed,
            "pii_shown": reason is not None,
            "reveal_url": self.reveal_url(approval),
        }

    def history_view(self, request, object_id, extra_context=None):
        """The header's "History" button: an approval's history is its own timeline (hitl.history), not the
        admin's change log (decisions are taken through the services, which write no admin log entries)."""
        if self.get_object(request, object_id) is None:
            return super().history_view(request, object_id, extra_context)  # Django's own "not found" answer
        return redirect(reverse("admin:hitl_hitlapproval_change", args=[object_id]) + "#history")

    def _execution_context(self, request, approval) -> dict:
        """What the page says about running the approved action, and whether this person may step in."""
        may_act = may_decide(request.user, approval)
        stuck_at = stuck_since(approval)
        return {
            "stuck_at": stuck_at,
            "can_retry": may_act and approval.status == ApprovalStatus.FAILED,
            "can_abandon": may_act and stuck_at is not None and timezone.now() >= stuck_at,
        }

    def get_urls(self):
        decide = self.admin_site.admin_view(self.decide_view)
        return [path("<path:object_id>/decide/", decide, name="hitl_hitlapproval_decide"), *super().get_urls()]

    def decide_view(self, request, object_id):
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        approval = self.get_object(request, object_id)
        if approval is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)  # 404
        if not self.has_view_permission(request, approval):
            raise PermissionDenied
        back = HttpResponseRedirect(reverse("admin:hitl_hitlapproval_change", args=[approval.pk]))
        if request.method == "POST":
            request.session.pop(HELD_DECISION_KEY, None)  # this POST is the decision now
            return self._decide(request, approval, request.POST, request.GET.get(THEN), back)
        held = request.session.get(HELD_DECISION_KEY)
        if not held or held.get("approval") != str(approval.pk):
            return HttpResponseNotAllowed(["POST"])  # a GET is only the way back from showing a second factor
        del request.session[HELD_DECISION_KEY]  # taken once, whatever comes of it
        if timezone.now() - datetime.fromisoformat(held["at"]) > timedelta(minutes=HELD_MINUTES):
            messages.warning(request, gettext(
                "Nothing was decided: the decision you were taking waited more than %(minutes)d minutes for your "
                "second factor. Take it again."
            ) % {"minutes": HELD_MINUTES})  # fmt: skip
            return back
        form = QueryDict(mutable=True)
        for name, values in held["form"].items():
            form.setlist(name, values)
        return self._decide(request, approval, form, held.get(THEN), back)

    def _decide(self, request, approval, form, then, back):
        """Say the form's verb to the approval, as clicked, or as held while the person showed a second factor."""
        verb = verbs.verb_named(form.get("decision", ""), Door.CONSOLE)
        if not may(request.user, verb.need if verb else Need.DECIDE, approval):
            messages.error(request, gettext("You may not decide approvals."))
            return back
        if verb is None:
            messages.error(request, gettext("Choose approve, reject, escalate, run again or mark failed."))
            return back
        note = form.get(verb.note_field, "")
        if verb.name in DEFAULT_NOTES:
            note = note.strip() or str(DEFAULT_NOTES[verb.name])
        try:
            edits = presentation.edits_from_form(approval, form) if verb.edits else None
            verbs.act(verb.name, approval.pk, actor=request.user, origin=_origin(request), note=note, edits=edits)
        except StepUpRequired:
            return self._hold_for_step_up(request, approval, form, then)
        except DecisionError as err:
            messages.error(request, err.detail)
            return back
        done = verb.done_with_edits if edits and verb.done_with_edits else verb.done
        messages.success(request, done % {"reference": approval.reference})
        if verb.name == "approve" and form.get("standing"):
            self._give_standing(request, approval, form)
        if then == "next":
            return self._next(request, approval)
        return back

    def _give_standing(self, request, approval, form):
        """The standing approval asked beside the approval; why not, when it cannot be given (approved either way)."""
        try:
            percent = form.get("standing_percent", "").strip()
            bounds = standing.Bounds(
                hours=int(form.get("standing_hours", "")),
                max_uses=int(form.get("standing_uses", "")),
                max_change_percent=Decimal(percent) if percent else None,
            )
            grant = standing.give(approval.pk, actor=request.user, bounds=bounds)
        except (ValueError, ArithmeticError):
            messages.warning(
                request, gettext("Approved; nothing allowed again: the hours, times and percentage must be numbers.")
            )
            return
        except DecisionError as err:
            messages.warning(request, gettext("Approved; nothing allowed again: %(reason)s") % {"reason": err.detail})
            return
        messages.success(
            request, gettext("The same change may go ahead again: %(bounds)s.") % {"bounds": standing.describe(grant)}
        )

    def _next(self, request, decided):
        """ "Approve and next": the most urgent other approval waiting for this person, or the queue when none is."""
        following = inbox.next_for(request.user, decided)
        if following is None:
            messages.info(request, gettext("Nothing else waits for your decision."))
            return HttpResponseRedirect(reverse("admin:hitl_hitlapproval_changelist"))
        return HttpResponseRedirect(reverse("admin:hitl_hitlapproval_change", args=[following.pk]))

    def _hold_for_step_up(self, request, approval, form, then):
        """Keep the decision as posted (its note, its edits) and send the person to show a second factor. Showing it
        on allauth's page (its own "Confirm") is the confirmation: the way back takes the held decision, once, within
        HELD_MINUTES; coming back without having shown it asks for it again (verbs.act raises StepUpRequired)."""
        posted = {name: values for name, values in form.lists() if name != "csrfmiddlewaretoken"}
        request.session[HELD_DECISION_KEY] = {
            "approval": str(approval.pk), "form": posted, THEN: then, "at": timezone.now().isoformat(),
        }  # fmt: skip
        messages.warning(request, asked_to_show(request.user, gettext("your decision is taken")))
        return HttpResponseRedirect(
            step_up_url(request.user, reverse("admin:hitl_hitlapproval_decide", args=[approval.pk]))
        )

    # --- bulk actions -------------------------------------------------------------------------

    def _bulk(self, request, queryset, verb, done_message, note=""):
        """Say `verb` to each approval; `done_message(count)`: what to say when `count` approvals were handled."""
        if not may_decide(request.user):
            queryset = [a for a in queryset if may_decide(request.user, a)]
        done, refused, stepped_up = 0, [], []
        origin = _origin(request)
        for approval in queryset:
            try:
                verbs.act(verb, approval.pk, actor=request.user, origin=origin, note=note)
                done += 1
            except StepUpRequired:
                stepped_up.append(approval.reference)
            except DecisionError as err:
                refused.append(f"{approval.reference}: {err.detail}")
        if done:
            messages.success(request, done_message(done))
        for line in refused:
            messages.warning(request, line)
        if stepped_up:  # a bulk action is not held: the person confirms and selects them again
            again = step_up_url(request.user, request.get_full_path())
            text = gettext("%(references)s need a second factor shown in the last minutes; nothing was decided.") % {
                "references": ", ".join(stepped_up)
            }
            messages.warning(request, format_html('{} <a class="underline" href="{}">{}</a>', text, again,
                                                  gettext("Confirm it is you, then select them again.")))  # fmt: skip

    @admin.action(description=_("Approve selected (asks to confirm)"))
    def approve_selected(self, request, queryset):
        if "confirm" not in request.POST:
            return render(
                request,
                "admin/hitl/approve_confirm.html",
                {
                    **self.admin_site.each_context(request),
                    "title": gettext("Approve approvals"),
                    "approvals": queryset.select_related("agent"),
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                    "opts": self.opts,
                },
            )
        notes = request.POST.get("notes", "").strip()
        self._bulk(
            request,
            queryset,
            "approve",
            lambda n: ngettext("%(count)d approval approved.", "%(count)d approvals approved.", n) % {"count": n},
            note=notes,
        )
        return None

    @admin.action(description=_("Reject selected (asks for a reason)"))
    def reject_selected(self, request, queryset):
        reason = request.POST.get("reason", "").strip()
        if "confirm" not in request.POST or not reason:
            return render(
                request,
                "admin/hitl/reject_reason.html",
                {
                    **self.admin_site.each_context(request),
                    "title": gettext("Reject approvals"),
                    "approvals": queryset,
                    "error": gettext("A rejection needs a reason.") if "confirm" in request.POST else "",
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                    "opts": self.opts,
                },
            )
        self._bulk(
            request,
            queryset,
            "reject",
            lambda n: ngettext("%(count)d approval rejected.", "%(count)d approvals rejected.", n) % {"count": n},
            note=reason,
        )
        return None

    @admin.action(description=_("Run failed actions again"))
    def retry_selected(self, request, queryset):
        self._bulk(
            request,
            queryset,
            "retry",
            lambda n: ngettext("%(count)d approval queued to run again.", "%(count)d approvals queued to run again.", n)
            % {"count": n},
        )

    @admin.action(description=_("Send stalled executions to a worker again"))
    def requeue_selected(self, request, queryset):
        self._bulk(
            request,
            queryset,
            "requeue",
            lambda n: ngettext(
                "%(count)d approval sent to a worker again.", "%(count)d approvals sent to a worker again.", n
            )
            % {"count": n},
        )

    @admin.action(description=_("Escalate selected"))
    def escalate_selected(self, request, queryset):
        self._bulk(
            request,
            queryset,
            "escalate",
            lambda n: ngettext("%(count)d approval escalated.", "%(count)d approvals escalated.", n) % {"count": n},
            note=gettext("Escalated from the queue."),
        )
