"""Pages of sealed reports: a reader's key status and granting access to a
colleague (``/counsel/keys/``), and the recovery sheet of a school (its
admins) or an education office (its safety officers): made once and shown
once, then typed back to re-seal reports to a reader who lost access, or
replaced by a new sheet (shown once too) when it was lost or seen.

Bad input (a wrong sheet, a person who may not read these reports) gets a
clear message and changes nothing. Nothing secret is ever kept: the sheet
is in the response only, which is never cached.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import counselor_required, safety_officer_required, school_admin_required
from schools.models import District, Membership, Role, School

from . import keyring, keys, permissions, sealing
from .models import PersonKey, RecoveryKey, SealedReportKey


class ReplaceForm(forms.Form):
    understood = forms.BooleanField(
        label=gettext_lazy("I understand: the old sheet stops working for every report that is moved to the new one."),
        error_messages={"required": gettext_lazy("Tick the box to confirm that you want a new sheet.")},
    )


class GrantForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput)


class RecoveryUseForm(forms.Form):
    sheet = forms.CharField(
        label=gettext_lazy("The 52 letters and digits on the recovery sheet"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
    )
    person = forms.ChoiceField(label=gettext_lazy("Give access to"))

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(str(p.pk), str(p)) for p in people]


@counselor_required
@require_GET
@never_cache
def counsel_keys(request):
    ring = keyring.keyring_for(request)
    pair = PersonKey.objects.filter(user=request.user).first()
    readable = (
        SealedReportKey.objects.filter(holder=request.user, sealed_to=ring.public).count() if ring is not None else 0
    )
    context = {
        "pair": pair,
        "unlocked": ring is not None and pair is not None and ring.public == pair.public_key,
        "readable": readable,
        "visible": permissions.visible_reports(request.user).count(),
        "colleagues": keys.colleagues_waiting(keyring=ring, user=request.user),
    }
    return render(request, "incidents/keys.html", context)


@counselor_required
@require_POST
def counsel_keys_grant(request):
    form = GrantForm(request.POST)
    ring = keyring.keyring_for(request)
    if not form.is_valid():
        return render(request, "incidents/staff_bad_request.html", status=400)
    colleagues = {row["person"].pk: row for row in keys.colleagues_waiting(keyring=ring, user=request.user)}
    row = colleagues.get(form.cleaned_data["person"])
    if row is None:
        return render(request, "incidents/staff_bad_request.html", status=400)
    if ring is None:  # the unlock page first, then back here
        messages.error(request, _("Your reports are locked in this session."))
        return redirect(f"{reverse('counsel_keys_unlock')}?{urlencode({'next': reverse('counsel_keys')})}")
    if not row["has_key"]:
        messages.error(
            request,
            _(
                "%(name)s has no reading key yet: they must sign in once with their password, or with their "
                "school account and choose a reading passphrase."
            )
            % {"name": row["person"]},
        )
        return redirect("counsel_keys")
    count = keys.grant_access(keyring=ring, granter=request.user, to_user=row["person"])
    messages.success(
        request, _("%(name)s can now read %(count)d more reports.") % {"name": row["person"], "count": count}
    )
    return redirect("counsel_keys")


# --- the recovery sheet -----------------------------------------------------------------------


def _readers(*, school=None, district=None):
    User = get_user_model()
    if school is not None:
        ids = Membership.objects.filter(school=school, role=Role.COUNSELOR).values("user_id")
        return list(User.objects.filter(pk__in=ids, is_active=True).order_by("display_name", "pk"))
    return list(district.safety_officers.filter(is_active=True).order_by("display_name", "pk"))


def _sheet_key(typed: str, keys_of_place: list[RecoveryKey]):
    """The recovery key whose sheet was typed (the current one, or a replaced
    one that still holds reports), with its private half; SealingError if none."""
    for recovery in keys_of_place:
        try:
            return recovery, sealing.key_from_sheet(typed, recovery.public_key)
        except sealing.SealingError:
            continue
    raise sealing.SealingError("not a sheet of this place")


def _recovery_page(request, *, school=None, district=None):
    place = school or district
    keys_of_place = list(
        RecoveryKey.objects.filter(Q(school=school) if school else Q(district=district)).order_by(
            F("replaced_at").desc(nulls_first=True), "-pk"
        )
    )
    recovery = next((k for k in keys_of_place if k.replaced_at is None), None)
    readers = _readers(school=school, district=district)
    context = {
        "place": place,
        "district": district is not None,
        "recovery": recovery,
        "sheet": None,
        "waiting_for_old": _waiting_for_old(keys_of_place),
        "replace_form": ReplaceForm(),
    }
    form = RecoveryUseForm(people=readers)
    status = 200
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "create":
        if recovery is not None:
            messages.error(request, _("This place already has a recovery sheet; it is shown only once."))
            return redirect(request.path)
        key = keys.recovery_key_create(school=school, district=district, actor=request.user)
        context.update(
            recovery=RecoveryKey.objects.get(public_key=sealing.public_text(key)), sheet=sealing.sheet_groups(key)
        )
    elif action == "replace":
        if recovery is None:
            return render(request, "incidents/staff_bad_request.html", status=400)
        replace_form = ReplaceForm(request.POST)
        if not replace_form.is_valid():
            context["replace_form"] = replace_form
            status = 400
        else:
            key, moved, left = keys.recovery_key_replace(
                school=school, district=district, actor=request.user, keyring=keyring.keyring_for(request)
            )
            context.update(
                recovery=RecoveryKey.objects.get(public_key=sealing.public_text(key)),
                sheet=sealing.sheet_groups(key),
                replaced={"moved": moved, "left": left},
            )
    elif request.method == "POST":
        form = RecoveryUseForm(request.POST, people=readers)
        if recovery is None:
            return render(request, "incidents/staff_bad_request.html", status=400)
        if form.is_valid():
            try:
                recovery, recovery_private = _sheet_key(form.cleaned_data["sheet"], keys_of_place)
            except sealing.SealingError:
                form.add_error(
                    "sheet",
                    _("These are not the letters of this recovery sheet. Check each group of four and try again."),
                )
            else:
                person = next(p for p in readers if str(p.pk) == form.cleaned_data["person"])
                if not PersonKey.objects.filter(user=person).exists():
                    form.add_error(
                        "person",
                        _(
                            "This person has no reading key yet: they must sign in once with their password, "
                            "or with their school account and choose a reading passphrase."
                        ),
                    )
                else:
                    count = keys.recover_access(
                        recovery=recovery, recovery_private=recovery_private, to_user=person, actor=request.user
                    )
                    messages.success(
                        request, _("%(name)s can now read %(count)d more reports.") % {"name": person, "count": count}
                    )
                    return redirect(request.path)
        status = 400
    context["form"] = form
    response = render(request, "incidents/recovery.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _waiting_for_old(keys_of_place) -> int:
    """Reports still sealed only to a replaced sheet of this place."""
    replaced = [k.pk for k in keys_of_place if k.replaced_at is not None]
    if not replaced:
        return 0
    return SealedReportKey.objects.filter(recovery_id__in=replaced).values("report_id").distinct().count()


@school_admin_required
@require_http_methods(["GET", "POST"])
def school_recovery(request, code):
    school = get_object_or_404(School, code=code)
    if not permissions.can_see_school_overview(request.user, school):
        raise PermissionDenied
    return _recovery_page(request, school=school)


@safety_officer_required
@require_http_methods(["GET", "POST"])
def district_recovery(request, code):
    district = get_object_or_404(District, code=code)
    if not permissions.can_see_district_overview(request.user, district):
        raise PermissionDenied
    return _recovery_page(request, district=district)
