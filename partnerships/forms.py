from django import forms
from django.db import models

from partnerships.models import Notification

# A link typed without a scheme ("www.gov.uk/...") is read as https on every form that keeps one: the app's
# and the Django admin's alike. (Django 5 assumes http unless told otherwise; a field left to that default
# stored the same link as http:// from the admin and https:// from the app.)
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


def https_urls(db_field, **kwargs):
    """A ModelForm's ``Meta.formfield_callback``: URL fields assume https (as ``HTTPS_URLS`` in the admin)."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class NotificationSettingsForm(forms.Form):
    """One box per kind of notification: ticked, it also comes by email."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        off = set(user.email_off or [])
        for value, label in Notification.Kind.choices:
            self.fields[value] = forms.BooleanField(label=label, required=False, initial=value not in off)

    def save(self):
        self.user.email_off = [kind for kind in Notification.Kind.values if not self.cleaned_data.get(kind)]
        self.user.save(update_fields=["email_off"])
