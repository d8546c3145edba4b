import base64
import json
from urllib.parse import urlsplit, urlunsplit

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from allauth.usersessions.models import UserSession
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.dates import WEEKDAYS
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from guardian.admin import GroupManage, ReinforcedGuardedModelAdminMixin
from unfold.admin import ModelAdmin, TabularInline
from unfold.contrib.filters.admin import RelatedDropdownFilter
from unfold.decorators import display
from unfold.forms import AdminPasswordChangeForm, UserChangeForm
from unfold.widgets import UnfoldAdminCheckboxSelectMultipleWidget

from core.widgets import secret_input
from tenants.access import MANAGE_PEOPLE, AccessDenied, get_person_for_request
from tenants.admin_scoping import ReadOnlyAdminMixin, TenantScopedAdminMixin
from tenants.exports import StreamingCsvExportMixin
from tenants.fields import hash_of
from tenants.identity import verification
from tenants.identity.signin.resets import reset_factors
from tenants.identity.signin.secrets_step_up import SecretsStepUpAdminMixin, SecretsStepUpForm
from tenants.identity.signin.sessions import end_colleague_sessions
from tenants.labels import ModelNameFilter, model_name
from tenants.models import (
    BRIEF_SECTION_NAMES,
    BRIEF_SECTIONS,
    AccessLog,
    SubjectRequest,
    Tenant,
    UndeliverableAddress,
    User,
    UserEmailPreference,
    UserPhoneNumber,
)
from tenants.phones import normalize_phone
from tenants.privacy.audit import REASON_MAX, Origin
from tenants.privacy.personal_data import holders
from tenants.privacy.resources import AccessLogResource
from tenants.privacy.subject_requests import erase_person, export_person
from tenants.roles import Role

# allauth's own admin pages: a person's factors are theirs to manage on their MFA page and a tenant admin's to reset
# from the people list (UserAdmin's action, audited); allauth's email addresses are never used (docs/identity.md).
admin.site.unregister(Authenticator)
admin.site.unregister(EmailAddress)
# allauth's social apps are built from each tenant's provider and never stored, tokens are not kept, and a person's
# link to their provider account is the sign-in's business (single sign-on, admin_identity_providers).
for _model in (SocialApp, SocialAccount, SocialToken):
    admin.site.unregister(_model)
# allauth's sessions list every tenant's rows with an address column Walker leaves empty: a person ends their own on
# /accounts/sessions/, a tenant admin a colleague's from the people list (UserAdmin's action, audited).
admin.site.unregister(UserSession)


def _saved(value: str) -> str:
    """Whether a write-only value is set, and how a long one ends: never the value itself."""
    if not value:
        return gettext("not set")
    return gettext("set · ends …%(end)s") % {"end": value[-4:]} if len(value) >= 16 else gettext("set")


class TenantForm(SecretsStepUpForm, forms.ModelForm):
    """The webhook secret and the Slack URL are write-only: the page never shows them back, and an empty field
    keeps what is saved. Either lets its holder act as the tenant (sign an action its receiver executes, post to
    its Slack), so only those who manage the tenant see these fields at all (TenantAdmin.get_fields)."""

    action_webhook_secret = forms.CharField(
        label=_("Action webhook secret"),
        required=False,
        max_length=128,
        widget=secret_input(),
        help_text=_(
            'Signs webhook calls: X-Walker-Signature is HMAC-SHA256 of "<X-Walker-Timestamp>.<body>". Stored '
            "encrypted and never shown again: type one to replace the saved one, or leave empty to keep it."
        ),
    )
    support_days = forms.TypedMultipleChoiceField(
        label=_("Support days"),
        required=False,
        coerce=int,
        choices=sorted(WEEKDAYS.items()),
        widget=UnfoldAdminCheckboxSelectMultipleWidget,
        help_text=_("Days the team answers customers who ask for a person, in the tenant's time zone."),
    )
    slack_webhook_url = forms.URLField(
        label=_("Slack webhook URL"),
        required=False,
        max_length=200,
        assume_scheme="https",
        widget=secret_input("off"),
        help_text=_(
            "Slack incoming-webhook URL for approval notifications, https only. Stored encrypted and never shown "
            "again: type one to replace the saved one, or leave empty to keep it."
        ),
    )
    remove_slack_webhook_url = forms.BooleanField(
        label=_("Remove the Slack webhook URL"), required=False, help_text=_("No more Slack notifications.")
    )
    mfa_required_roles = forms.MultipleChoiceField(
        label=_("Roles that need a second factor"),
        choices=Role.choices,
        required=False,
        widget=UnfoldAdminCheckboxSelectMultipleWidget,
        help_text=_("People with these roles must sign in with a second factor (an authenticator app or a passkey)."),
    )

    write_only = ("action_webhook_secret", "slack_webhook_url")
    # Changing these needs a fresh second factor (step-up): the secrets, and the step-up policy itself.
    stepped_up = ("step_up_risk_level", "step_up_minutes", "remove_slack_webhook_url")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.write_only:
            self.initial.pop(name, None)  # an empty field is then "unchanged", and the value is not carried

    def clean(self):
        cleaned = super().clean()
        typed = any(cleaned.get(name) for name in self.write_only)
        self.refuse_if_stale(typed or any(name in self.changed_data for name in self.stepped_up))
        for name in self.write_only:
            if name in cleaned and not cleaned[name]:
                cleaned[name] = getattr(self.instance, name)
        if cleaned.get("remove_slack_webhook_url"):
            cleaned["slack_webhook_url"] = ""
        return cleaned


class GroupPermissionsForm(GroupManage):
    """django-guardian's group picker, its field labelled in the reader's language (guardian leaves it bare)."""

    group = forms.CharField(
        label=_("Group"), max_length=80, error_messages=GroupManage.base_fields["group"].error_messages
    )


@admin.register(Tenant)
class TenantAdmin(SecretsStepUpAdminMixin, TenantScopedAdminMixin, ReinforcedGuardedModelAdminMixin, ModelAdmin):
    form = TenantForm
    list_display = ["name", "slug", "subscription_tier", "timezone", "user_count", "created_at"]
    list_filter = ["subscription_tier"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "action_webhook_secret_saved", "slack_webhook_url_saved", "chat_embed_snippet"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    # Write-only fields, each with what stands beside it on a saved tenant's page.
    write_only = {
        "action_webhook_secret": ["action_webhook_secret_saved"],
        "slack_webhook_url": ["slack_webhook_url_saved", "remove_slack_webhook_url"],
    }

    def get_obj_perms_group_select_form(self, request):
        return GroupPermissionsForm

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(user_count=Count("users"))

    @admin.display(description=_("users"), ordering="user_count")
    def user_count(self, obj):
        return obj.user_count

    @admin.display(description=_("saved secret"))
    def action_webhook_secret_saved(self, obj):
        generate = reverse("admin:tenants_tenant_webhook_secret", args=[obj.pk])
        return format_html(
            '{} · <a href="{}">{}</a>', _saved(obj.action_webhook_secret), generate, gettext("Generate a new secret")
        )

    @admin.display(description=_("saved Slack URL"))
    def slack_webhook_url_saved(self, obj):
        return _saved(obj.slack_webhook_url)

    @admin.display(description=_("chat widget on your site"))
    def chat_embed_snippet(self, obj):
        """The tag a tenant's admin pastes into their own site; their members use Walker's own page (/chat/)."""
        site = urlsplit(settings.PUBLIC_BASE_URL)
        sockets = urlunsplit(("wss" if site.scheme == "https" else "ws", site.netloc, "/ws/chat/", "", ""))
        tag = (
            f'<script src="{settings.PUBLIC_BASE_URL}/static/widget/walker-chat.js"\n'
            f'        data-walker-url="{sockets}" data-walker-token-url="/your-backend/walker-token" defer></script>'
        )
        return format_html(
            '<pre data-testid="chat-embed-snippet" style="white-space:pre-wrap">{}</pre><p>{}</p>',
            tag,
            gettext(
                "Your backend asks Walker for a token for the signed-in person (POST /api/chat/token/) and your site's "
                "origin is listed in CHAT_ALLOWED_ORIGINS. Without a token the Walker sign-in cookie is used."
            ),
        )

    def secrets_tenant(self, request, obj):
        return obj

    def shows_secrets(self, request, obj) -> bool:
        return obj is not None and self._manages(request, obj)

    def _manages(self, request, obj) -> bool:
        """Superusers, and the admins of this tenant: the only ones who see the write-only fields at all."""
        return request.user.is_superuser or (obj is not None and self.has_change_permission(request, obj))

    def get_fields(self, request, obj=None):
        companions = {name for names in self.write_only.values() for name in names}
        fields = [name for name in super().get_fields(request, obj) if name not in companions]
        if obj is None or not self._manages(request, obj):  # the embed tag: a saved tenant's admins only
            fields = [name for name in fields if name != "chat_embed_snippet"]
        if not self._manages(request, obj):
            return [name for name in fields if name not in self.write_only]
        if obj is None:
            return fields
        return [placed for name in fields for placed in (name, *self.write_only.get(name, ()))]

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return self.readonly_fields
        return [*self.readonly_fields, "slug", "subscription_tier"]  # billing and URLs belong to the platform

    def get_prepopulated_fields(self, request, obj=None):
        return self.prepopulated_fields if request.user.is_superuser else {}

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request)
        return request.user.has_perm("tenants.change_tenant", obj)  # guardian: only on one's own tenant

    def get_urls(self):
        view = self.admin_site.admin_view(self.webhook_secret_view)
        secret = path("<path:object_id>/webhook-secret/", view, name="tenants_tenant_webhook_secret")
        return [secret, *super().get_urls()]

    def webhook_secret_view(self, request, object_id):
        """GET asks; POST replaces the signing secret with a new random one and shows it, this once."""
        tenant = self.get_object(request, unquote(object_id))
        if tenant is None:
            raise Http404(gettext("No such tenant."))
        if not self._manages(request, tenant):
            raise PermissionDenied
        if self.step_up_stale(request, tenant):
            return self.ask_step_up(request)
        secret = None
        if request.method == "POST":
            secret = tenant.generate_action_webhook_secret()
            self.log_change(request, tenant, [{"changed": {"fields": ["Action webhook secret"]}}])  # shown translated
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "tenant": tenant,
            "secret": secret,
            "title": gettext("New action webhook secret"),
        }
        return TemplateResponse(request, "admin/tenants/tenant/webhook_secret.html", context)


class PhoneNumberInline(TabularInline):
    model = UserPhoneNumber
    extra = 0
    fields = ["phone_number", "verified", "is_primary", "created_at"]
    readonly_fields = ["verified", "created_at"]


class EmailPreferenceInline(TabularInline):
    model = UserEmailPreference
    extra = 0
    max_num = 1
    fields = ["enabled", "delivery_time", "timezone", "include_sections"]


class WalkerUserChangeForm(UserChangeForm):
    class Meta(auth_forms.UserChangeForm.Meta):
        model = User
        fields = "__all__"
        field_classes = {}


@admin.register(User)
class UserAdmin(TenantScopedAdminMixin, BaseUserAdmin, ModelAdmin):
    form = WalkerUserChangeForm
    change_password_form = AdminPasswordChangeForm
    inlines = [PhoneNumberInline, EmailPreferenceInline]
    list_display = ["email", "first_name", "last_name", "tenant", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active", ("tenant", RelatedDropdownFilter)]
    list_select_related = ["tenant"]
    search_fields = ["=email", "first_name", "last_name"]
    search_help_text = _("A name, or an exact email address (addresses are encrypted: no partial matches).")
    ordering = ["first_name", "last_name", "date_joined"]
    readonly_fields = ["is_staff", "last_login", "date_joined"]
    filter_horizontal = ["groups", "user_permissions"]

    _platform_fieldsets = ((_("Platform"), {"fields": ["tenant", "is_superuser", "groups", "user_permissions"]}),)

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": ["email", "password"]}),
            (_("Person"), {"fields": ["first_name", "last_name"]}),
            (_("Access"), {"fields": ["role", "is_active", "is_staff"]}),
            (_("Dates"), {"fields": ["last_login", "date_joined"]}),
        ]
        if request.user.is_superuser:
            fieldsets = [*fieldsets, *self._platform_fieldsets]
        return fieldsets

    def add_view(self, request, form_url="", extra_context=None):
        """Colleagues are invited (they choose their own password, and enrol a second factor if their role needs
        one), never created here with a password someone else typed."""
        return HttpResponseRedirect(reverse("admin:tenants_invitation_add"))

    def get_inline_instances(self, request, obj=None):
        return super().get_inline_instances(request, obj) if obj else []  # phones and brief come after the person

    def get_list_filter(self, request):
        return self.list_filter if request.user.is_superuser else ["role", "is_active"]

    def _manages(self, request, obj) -> bool:
        return obj is None or request.user.is_superuser or request.user.has_perm(MANAGE_PEOPLE, obj.tenant)

    actions = ["reset_second_factors", "end_sessions"]

    @admin.action(
        description=_("Reset second factors (they enrol again at their next sign-in)"), permissions=["change"]
    )
    def reset_second_factors(self, request, queryset):
        """Audited in each person's history (tenants.identity.signin.resets); never one's own, never another
        tenant's."""
        done = self._on_each_colleague(request, queryset, reset_factors)
        if done:
            self.message_user(request, gettext("Second factors reset for %(count)d people.") % {"count": done})

    @admin.action(description=_("End sessions (signed out everywhere, their open pages too)"), permissions=["change"])
    def end_sessions(self, request, queryset):
        """Audited in each person's history (tenants.identity.signin.sessions); never one's own, never another
        tenant's."""
        done = self._on_each_colleague(request, queryset, end_colleague_sessions)
        if done:
            self.message_user(request, gettext("Sessions ended for %(count)d people.") % {"count": done})

    def _on_each_colleague(self, request, queryset, act) -> int:
        """`act(admin, person)` for each selected person; a refusal is shown, the others go on. How many were done."""
        done = 0
        for person in queryset:
            try:
                act(request.user, person)
            except AccessDenied as refusal:
                self.message_user(request, f"{person}: {refusal.detail}", messages.ERROR)
            else:
                done += 1
        return done

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._manages(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._manages(request, obj)


class PhoneNumberForm(forms.ModelForm):
    verification_code = forms.CharField(
        label=_("Verification code"),
        required=False,
        max_length=6,
        help_text=_("The 6-digit code sent to the number, to confirm it."),
    )

    class Meta:
        model = UserPhoneNumber
        fields = ["user", "phone_number", "is_primary"]

    def clean_verification_code(self):
        code = self.cleaned_data["verification_code"].strip()
        if code and self.instance.pk:
            try:
                confirmed = verification.confirm_code(self.instance.pk, code)
            except verification.VerificationError as error:
                raise forms.ValidationError(error.detail, code=error.code) from None
            for name in verification.STATE_FIELDS:  # the save that follows must not write the old state back
                setattr(self.instance, name, getattr(confirmed, name))
        return code


@admin.register(UserPhoneNumber)
class UserPhoneNumberAdmin(TenantScopedAdminMixin, ModelAdmin):
    form = PhoneNumberForm
    list_display = ["phone_number", "user", "tenant", "verified", "is_primary", "created_at"]
    list_filter = ["verified", "is_primary"]
    list_select_related = ["user", "tenant"]
    search_fields = ["=user__email", "user__first_name", "user__last_name"]
    search_help_text = _("A whole number with its country code, a name, or an exact email address.")
    autocomplete_fields = ["user"]

    def get_search_results(self, request, queryset, search_term):
        """A whole phone number (spaces and brackets allowed) matches by its keyed hash."""
        results, duplicates = super().get_search_results(request, queryset, search_term)
        try:
            number = normalize_phone(search_term)
        except ValidationError:
            return results, duplicates
        return results | queryset.filter(phone_number=number), duplicates

    readonly_fields = ["verified", "verified_at", "code_sent_at", "code_expires_at", "code_delivery_error"]


class EmailPreferenceForm(forms.ModelForm):
    """The brief's sections as ticks with their names, rather than a list of codes to type."""

    include_sections = forms.MultipleChoiceField(
        choices=[(name, BRIEF_SECTION_NAMES[name]) for name in BRIEF_SECTIONS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Sections"),
    )

    class Meta:
        model = UserEmailPreference
        fields = ["user", "enabled", "delivery_time", "timezone", "include_sections"]


@admin.register(UserEmailPreference)
class UserEmailPreferenceAdmin(TenantScopedAdminMixin, ModelAdmin):
    form = EmailPreferenceForm
    list_display = ["user", "enabled", "delivery_time", "timezone", "tenant"]
    list_filter = ["enabled"]
    list_select_related = ["user", "tenant"]
    search_fields = ["=user__email", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]


class ObjectTypeFilter(ModelNameFilter):
    title = _("object type")


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdminMixin, TenantScopedAdminMixin, StreamingCsvExportMixin, ModelAdmin):
    """Read-only and append-only for everyone, superusers included."""

    resource_classes = [AccessLogResource]
    export_name = "access-log"

    list_display = ["created_at", "actor", "action", "sensitivity", "object_kind", "object_repr", "ip_address"]
    list_filter = ["action", "sensitivity", ObjectTypeFilter]
    list_select_related = ["actor"]
    search_fields = ["object_id", "object_repr"]
    search_help_text = _("An object id or name, or the exact email address of who read it.")
    ordering = ["-created_at"]
    show_full_result_count = False

    def get_fields(self, request, obj=None):
        return [("object_kind" if name == "object_type" else name) for name in super().get_fields(request, obj)]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "object_kind"]

    @display(description=_("object type"), ordering="object_type")
    def object_kind(self, record):
        return model_name(record.object_type)

    def get_search_results(self, request, queryset, search_term):
        """An address finds its reader's records by keyed hash (addresses are not stored here)."""
        results, duplicates = super().get_search_results(request, queryset, search_term)
        if "@" in search_term:
            results |= queryset.filter(actor_ref=hash_of("email", search_term))
        return results, duplicates


@admin.register(UndeliverableAddress)
class UndeliverableAddressAdmin(ModelAdmin):
    """Platform-wide (an address is not a tenant's): only superusers see it; deleting a row lets email flow again."""

    list_display = ["email", "reason", "created_at"]
    list_filter = ["reason"]
    search_fields = ["=email"]
    search_help_text = _("An exact email address.")
    readonly_fields = ["email", "reason", "detail", "created_at"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class NewSubjectRequestForm(forms.Form):
    person = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Person"), help_text=_("Whose data."))
    kind = forms.ChoiceField(choices=SubjectRequest.Kind.choices, widget=forms.RadioSelect, label=_("Kind"))
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REASON_MAX,
        label=_("Reason"),
        help_text=_("Kept with the record."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = (
            User.objects.for_user(user).filter(tenant__isnull=False).order_by("first_name", "last_name", "pk")
        )


@admin.register(SubjectRequest)
class SubjectRequestAdmin(ReadOnlyAdminMixin, TenantScopedAdminMixin, ModelAdmin):
    """Exports and erasures of a person's data (tenant admins and compliance). "Add" opens the request form:
    an export downloads as JSON, an erasure runs at once; both are recorded here with who asked and why."""

    list_display = ["created_at", "kind", "subject_ref", "requested_by_email", "status", "completed_at"]
    list_filter = ["kind", "status"]
    search_fields = ["subject_ref"]
    ordering = ["-created_at"]
    fields = ["kind", "subject_ref", "requested_by_email", "reason", "status", "counts", "created_at", "completed_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm("tenants.add_subjectrequest")

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = NewSubjectRequestForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                return self._carry_out(request, form.cleaned_data)
            except AccessDenied as refused:
                form.add_error(None, refused.detail)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "form": form,
            "title": gettext("New subject request"),
        }
        return TemplateResponse(request, "admin/tenants/subjectrequest/new.html", context)

    def _carry_out(self, request, data):
        person = get_person_for_request(request.user, data["person"].pk, data["kind"])
        if data["kind"] == SubjectRequest.Kind.EXPORT:
            done, export = export_person(request.user, person, reason=data["reason"], origin=Origin.of_request(request))
            return self._exported(request, person, done, export)
        erasure = erase_person(request.user, person, reason=data["reason"])
        changed = sum(erasure.counts.values())
        messages.success(
            request,
            gettext("The person's data is erased (%(count)s records changed); the erasure is recorded.")
            % {"count": changed},
        )
        return HttpResponseRedirect(reverse("admin:tenants_subjectrequest_changelist"))

    def _exported(self, request, person, done, export):
        """What was exported, part by part in words, that it is recorded, and the file: a data URL on this page, so
        the export is never kept on the server (it holds the person's data in clear)."""
        file = json.dumps(export, indent=2, cls=DjangoJSONEncoder).encode()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Export done"),
            "person": person,
            "record": done,
            "parts": [(holder.label, done.counts.get(holder.name, 0)) for holder in holders()],
            "file_name": f"personal-data-{person.pk}.json",
            "file_data": base64.b64encode(file).decode(),
        }
        return TemplateResponse(request, "admin/tenants/subjectrequest/exported.html", context)


# Registered with the site: integration tokens, invitations and single sign-on.
from tenants.identity import admin_identity_providers, admin_invitations, admin_tokens  # noqa: E402, F401
