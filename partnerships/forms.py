from django import forms

from partnerships.models import Notification


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
