from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Tenants and people"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from tenants import signals  # noqa: F401  (connects role-group receivers)
        from tenants.personal_data import register
        from tenants.subject_requests import erase_profile, export_profile

        register("profile", export=export_profile, erase=erase_profile, order=90)  # last: others find the person by it
