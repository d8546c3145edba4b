"""What the access log's CSV export holds (django-import-export)."""

from import_export import fields, resources

from tenants.models import AccessLog


class AccessLogResource(resources.ModelResource):
    actor = fields.Field(attribute="actor", column_name="actor")

    class Meta:
        model = AccessLog
        fields = [
            "created_at", "actor", "actor_ref", "action", "sensitivity", "object_type", "object_id", "object_repr",
            "path", "ip_address", "user_agent",
        ]  # fmt: skip
        export_order = fields
