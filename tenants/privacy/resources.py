"""What the access log's CSV export holds (django-import-export)."""

from import_export import fields

from tenants.exports import ReadableResource
from tenants.labels import model_name
from tenants.models import AccessLog


class AccessLogResource(ReadableResource):
    actor = fields.Field(attribute="actor", column_name="actor")

    class Meta:
        model = AccessLog
        fields = [
            "created_at", "actor", "actor_ref", "action", "sensitivity", "object_type", "object_id", "object_repr",
            "path", "ip_address", "user_agent",
        ]  # fmt: skip
        export_order = fields

    def dehydrate_object_type(self, record):
        return model_name(record.object_type)
