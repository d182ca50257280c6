"""The unlock page (``/counsel/keys/unlock/``): a reader whose session holds
no key, because they signed in without typing the secret that wraps it (a
school account through their education office's identity provider), opens
it here, as the login form would have.

* No key yet: they choose a *reading passphrase* (twice), which makes their
  key pair wrapped with it (``PersonKey.Secret.PASSPHRASE``).
* A key: the page asks for the secret that wraps it, and says which: the
  reading passphrase, or the account password (a person who made their key
  signing in with their password, now signing in with a school account).
* Unlocked, with a reading passphrase: it can be changed (re-wrapped).

A wrong secret is answered next to the field, changes nothing and is
written to the audit trail; after five in fifteen minutes none is tried
(``incidents.ratelimit.KEY_UNLOCK_FAILURES``). Nothing typed is stored.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import password_validation
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.permissions import counselor_required

from . import keyring, keys, sealing
from .forms import CheckedForm
from .models import PersonKey
from .ratelimit import KEY_UNLOCK_FAILURES

PASSPHRASE_MIN_LENGTH = 12


def _secret_field(label):
    return forms.CharField(
        label=label, max_length=200, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class PassphraseForm(CheckedForm):
    """A new reading passphrase, typed twice."""

    passphrase = forms.CharField(
        label=gettext_lazy("Choose a reading passphrase"),
        help_text=gettext_lazy(
            "At least 12 characters. A short sentence you will remember is best. "
            "It is not your sign-in password and it cannot be reset by anyone."
        ),
        min_length=PASSPHRASE_MIN_LENGTH,
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={
            "min_length": gettext_lazy("The reading passphrase needs at least 12 characters."),
            "required": gettext_lazy("Choose a reading passphrase."),
        },
    )
    confirm = forms.CharField(
        label=gettext_lazy("Type the reading passphrase again"),
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": gettext_lazy("Type the reading passphrase again.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        cleaned = super().clean()
        passphrase, confirm = cleaned.get("passphrase"), cleaned.get("confirm")
        if passphrase and confirm is not None and passphrase != confirm:
            self.add_error("confirm", _("The two reading passphrases are not the same. Type them again."))
        elif passphrase:
            try:
                password_validation.validate_password(passphrase, self.user)
            except forms.ValidationError as error:
                self.add_error("passphrase", error)
        return cleaned


class ChangePassphraseForm(PassphraseForm):
    current = _secret_field(gettext_lazy("Your current reading passphrase"))
    field_order = ["current", "passphrase", "confirm"]


class StartOverForm(PassphraseForm):
    """A forgotten secret: a new key pair wrapped with a new reading
    passphrase. The copies sealed to the old key are deleted (as after a
    password reset); a colleague or the recovery sheet gives access again."""

    understood = forms.BooleanField(
        label=gettext_lazy(
            "I understand: I will read no report until a colleague or the recovery sheet gives me access again."
        ),
        error_messages={"required": gettext_lazy("Tick the box to confirm that you want to start over.")},
    )


class UnlockForm(CheckedForm):
    def __init__(self, *args, wrapped_with, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["secret"] = _secret_field(PersonKey.Secret(wrapped_with).label)


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("counsel_home")


def _try(request, form, field: str, attempt):
    """Run ``attempt`` (which opens the key with what was typed) unless this
    account used up its wrong tries; a wrong secret counts and is said next
    to the field. Returns the key, or None."""
    subject = str(request.user.pk)
    if KEY_UNLOCK_FAILURES.reached(subject):
        form.add_error(
            field, _("Too many wrong tries. Wait 15 minutes, then try again. Nothing was changed in the meantime.")
        )
        return None
    try:
        return attempt()
    except sealing.SealingError:
        KEY_UNLOCK_FAILURES.hit(subject)
        form.add_error(field, _("This does not open your reading key. Check it and try again. Nothing was changed."))
        return None


@counselor_required
@require_http_methods(["GET", "POST"])
@never_cache
def counsel_keys_unlock(request):
    user = request.user
    row = PersonKey.objects.filter(user=user).first()
    ring = keyring.keyring_for(request)
    unlocked = ring is not None and row is not None and ring.public == row.public_key
    next_url = _next_url(request)
    posted = request.POST if request.method == "POST" else None
    status = 400 if posted else 200
    context = {"pair": row, "next": next_url, "start_over": None}
    if row is None:
        mode, form = "create", PassphraseForm(posted, user=user)
        if posted and form.is_valid():
            try:
                key = keys.person_key_create(
                    user=user, password=form.cleaned_data["passphrase"], kind=PersonKey.Secret.PASSPHRASE
                )
            except IntegrityError:  # made meanwhile in another tab: unlock it there
                return redirect(request.get_full_path())
            keyring.keep_unlocked(request, user, key)
            messages.success(request, _("Your reading passphrase is set and your reports are unlocked."))
            return redirect(next_url)
    elif not unlocked:
        start_over = posted is not None and posted.get("action") == "start-over"
        mode, form = "unlock", UnlockForm(None if start_over else posted, wrapped_with=row.wrapped_with)
        context["start_over"] = StartOverForm(posted if start_over else None, user=user, prefix="new")
        if start_over and context["start_over"].is_valid():
            passphrase = context["start_over"].cleaned_data["passphrase"]
            key = keys.person_key_replace(user=user, password=passphrase, kind=PersonKey.Secret.PASSPHRASE)
            keyring.keep_unlocked(request, user, key)
            messages.success(request, _("You have a new reading key. Ask a colleague to grant you access again."))
            return redirect("counsel_keys")
        if posted and not start_over and form.is_valid():
            secret = form.cleaned_data["secret"]
            key = _try(request, form, "secret", lambda: keys.person_key_open(user=user, secret=secret))
            if key is not None:
                keyring.keep_unlocked(request, user, key)
                messages.success(request, _("Your reports are unlocked for this session."))
                return redirect(next_url)
    elif row.wrapped_with == PersonKey.Secret.PASSPHRASE:
        mode, form = "change", ChangePassphraseForm(posted, user=user)
        if posted and form.is_valid():
            data = form.cleaned_data
            key = _try(
                request,
                form,
                "current",
                lambda: keys.person_key_change_passphrase(user=user, current=data["current"], new=data["passphrase"]),
            )
            if key is not None:
                messages.success(request, _("Your reading passphrase is changed. Use the new one from now on."))
                return redirect("counsel_keys_unlock")
    else:
        mode, form = "unlocked", None
    context.update(mode=mode, form=form)
    return render(request, "incidents/keys_unlock.html", context, status=status)
