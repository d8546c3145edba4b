from zoneinfo import available_timezones

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tenants.models import BRIEF_SECTIONS, UserEmailPreference

SECTION_LABELS = {
    "approvals": _("Approvals waiting for me, and those decided since yesterday"),
    "campaigns": _("Paid ads: spend, CPA, ROAS, best and worst campaign"),
    "seo": _("SEO: keywords gained and lost"),
    "content": _("Content: best pieces and drafts waiting"),
    "audiences": _("Audiences: growing segments"),
    "conversations": _("Conversations: new this week, waiting for an approval"),
}
ZONES = sorted(zone for zone in available_timezones() if "/" in zone and not zone.startswith(("Etc/", "SystemV/")))


class PreferencesForm(forms.ModelForm):
    """What a signed-in person may change of their own brief, and the language of Walker's emails and pages for
    them (saved on the person); the model's own validation still runs."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = self.instance.user.language

    def save(self, commit=True):
        preference = super().save(commit)
        user = self.instance.user
        user.language = self.cleaned_data["language"]
        user.save(update_fields=["language"])
        return preference

    timezone = forms.ChoiceField(choices=[("UTC", "UTC")] + [(zone, zone.replace("_", " ")) for zone in ZONES])
    include_sections = forms.MultipleChoiceField(
        choices=[(name, SECTION_LABELS[name]) for name in BRIEF_SECTIONS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Sections"),
    )
    language = forms.ChoiceField(
        choices=[("", _("The browser's"))] + list(settings.LANGUAGES), required=False, label=_("Language")
    )

    class Meta:
        model = UserEmailPreference
        fields = ["enabled", "delivery_time", "timezone", "include_sections"]
        labels = {
            "enabled": _("Send me the daily brief"),
            "delivery_time": _("At (my local time)"),
            "timezone": _("Time zone"),
        }
        widgets = {"delivery_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("enabled") and not cleaned.get("include_sections"):
            self.add_error("include_sections", _("Choose at least one section, or turn the brief off."))
        return cleaned
