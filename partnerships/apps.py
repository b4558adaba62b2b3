from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partnerships"

    def ready(self):
        from partnerships import audit  # noqa: F401  (connects the audit trail to every history record)
