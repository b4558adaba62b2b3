from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reviews"
    verbose_name = "Quarterly reviews"

    def ready(self):
        from measures.services import PREVIEW_NOTES
        from reviews.imports import signed_off_note

        if signed_off_note not in PREVIEW_NOTES:
            PREVIEW_NOTES.append(signed_off_note)
