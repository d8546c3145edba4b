"""What each marketing file holds, and how its rows find the rows they update (django-import-export resources).

One resource per kind of file (`KINDS`). The tenant is the importer's, given when the resource is made and never a
column: rows are looked up among that tenant's rows only, and new rows are made in it, so a name or id of another
tenant's row matches nothing. Each row is found by its natural key (`import_id_fields`), so importing a file again
updates what it imported instead of adding twins, and an unchanged row is left alone. Columns are listed one by
one: a field added to a model is no column until it is listed here. The same resources export, so an export
imports back as it was (tests/imports).

A file names each row once (a second row with the same key is an error, not a silent second update), and imports
into one tenant run one at a time (its row is locked for the import's transaction), so two people importing the
same new rows at once never make twins, also where the database has no unique key to stop them (content titles).
"""

from zoneinfo import ZoneInfo

from django.core.exceptions import MultipleObjectsReturned, ValidationError
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from import_export import fields, resources

from agents.import_widgets import (
    IsoDateTimeWidget,
    IsoDateWidget,
    PlainDecimalWidget,
    PlainIntegerWidget,
    TenantCampaignWidget,
    TrimmedTextWidget,
)
from agents.models import AudienceSegment, Campaign, CampaignDailyStat, ContentPiece, KeywordRanking, TargetKeyword
from tenants.models import Tenant


class MarketingResource(resources.ModelResource):
    """A tenant's marketing rows, read from and written to a file in one spelling (agents.import_widgets)."""

    WIDGETS_MAP = {
        **resources.ModelResource.WIDGETS_MAP,
        "CharField": TrimmedTextWidget,
        "DecimalField": PlainDecimalWidget,
        "PositiveIntegerField": PlainIntegerWidget,
        "DateField": IsoDateWidget,
        "DateTimeField": IsoDateTimeWidget,
    }
    key_name: str  # what each resource's natural key is called in an error

    class Meta:
        use_transactions = True  # a row's failure rolls back the whole file (with rollback_on_validation_errors)
        skip_unchanged = True  # a row that changes nothing is counted as unchanged, and not saved
        report_skipped = True
        clean_model_instances = True  # the model's own validation: choices, ranges, lengths, constraints

    def __init__(self, tenant=None, **kwargs):
        super().__init__(**kwargs)
        self.tenant = tenant
        self.rows_by_key: dict[tuple, int] = {}
        for field in self.fields.values():
            if isinstance(field.widget, TenantCampaignWidget):
                field.widget.tenant = tenant

    def import_data(self, dataset, **kwargs):
        """Moments written without an offset are read in the tenant's zone."""
        zone = ZoneInfo(self.tenant.timezone) if self.tenant is not None else timezone.get_current_timezone()
        with timezone.override(zone):
            return super().import_data(dataset, **kwargs)

    def get_queryset(self):
        model = self._meta.model
        return model.objects.none() if self.tenant is None else model.objects.for_tenant(self.tenant)

    def init_instance(self, row=None):
        return self._meta.model(tenant=self.tenant)

    def get_diff_headers(self):
        """The console's preview names each column by its field, in the reader's language (the file keeps its own
        column names)."""
        opts = self._meta.model._meta
        return [str(opts.get_field(field.attribute).verbose_name) for field in self.get_user_visible_fields()]

    def key_columns(self) -> list[str]:
        return [self.fields[name].column_name for name in self.get_import_id_fields()]

    def get_instance(self, instance_loader, row):
        """The tenant's row this one updates; none when its key does not read (the fields then say why)."""
        try:
            return super().get_instance(instance_loader, row)
        except ValueError:
            return None
        except MultipleObjectsReturned:
            raise ValidationError(
                {
                    self.get_import_id_fields()[0]: gettext(
                        "Several of your rows have this %(key)s, so it cannot tell "
                        "which one to update. Make them different first."
                    )
                    % {"key": self.key_name}
                }
            ) from None

    def before_import(self, dataset, **kwargs):
        """One import at a time per tenant: its row stays locked until this import's transaction ends."""
        self.rows_by_key.clear()
        if self.tenant is not None:
            Tenant.objects.lock(self.tenant.pk)

    def before_import_row(self, row, row_number=None, **kwargs):
        key = tuple(str(row.get(column) or "").strip() for column in self.key_columns())
        if not any(key):
            return  # no key: its fields say what is missing
        first = self.rows_by_key.setdefault(key, row_number)
        if first != row_number:
            raise ValidationError(
                {
                    self.get_import_id_fields()[0]: gettext("Row %(row)s has the same %(key)s; a file names each once.")
                    % {"row": first, "key": self.key_name}
                }
            )


class CampaignResource(MarketingResource):
    key_name = gettext_lazy("name")

    class Meta:
        model = Campaign
        fields = ["name", "platform", "status", "daily_budget"]
        import_order = export_order = fields
        import_id_fields = ["name"]


class CampaignDailyStatResource(MarketingResource):
    key_name = gettext_lazy("campaign and date")
    campaign = fields.Field(attribute="campaign", column_name="campaign", widget=TenantCampaignWidget())

    class Meta:
        model = CampaignDailyStat
        fields = ["campaign", "date", "spend", "impressions", "clicks", "conversions", "revenue"]
        import_order = export_order = fields
        import_id_fields = ["campaign", "date"]


class KeywordRankingResource(MarketingResource):
    key_name = gettext_lazy("keyword and date")

    class Meta:
        model = KeywordRanking
        fields = ["keyword", "date", "url", "position", "previous_position", "search_volume"]
        import_order = export_order = fields
        import_id_fields = ["keyword", "date"]


class TargetKeywordResource(MarketingResource):
    key_name = gettext_lazy("keyword")

    class Meta:
        model = TargetKeyword
        fields = ["keyword"]
        import_order = export_order = fields
        import_id_fields = ["keyword"]


class ContentPieceResource(MarketingResource):
    key_name = gettext_lazy("title")

    class Meta:
        model = ContentPiece
        fields = ["title", "channel", "status", "scheduled_for", "published_at", "views", "engagement", "body"]
        import_order = export_order = fields
        import_id_fields = ["title"]


class AudienceSegmentResource(MarketingResource):
    key_name = gettext_lazy("name")

    class Meta:
        model = AudienceSegment
        fields = ["name", "size", "weekly_growth", "description"]
        import_order = export_order = fields
        import_id_fields = ["name"]


# The kinds of file, by the name the API's URL gives them (/api/imports/<kind>/).
KINDS: dict[str, type[MarketingResource]] = {
    "campaigns": CampaignResource,
    "campaign-stats": CampaignDailyStatResource,
    "keyword-rankings": KeywordRankingResource,
    "target-keywords": TargetKeywordResource,
    "content": ContentPieceResource,
    "segments": AudienceSegmentResource,
}
