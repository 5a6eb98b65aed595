"""How an applicant is told of their cases: add, confirm or remove an email address, and choose text
message and/or email. Thin views over ``identity.notify``."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from onevisit.identity import notify, selectors
from onevisit.identity.models import ApplicantAccount

from .account import applicant_required, profile_page
from .forms import EmailForm, NotificationsForm


def notifications_form_for(account: ApplicantAccount) -> NotificationsForm:
    return NotificationsForm(initial={"sms": account.notify_sms, "email": account.sends_email})


@never_cache
@require_http_methods(["GET", "POST"])
@applicant_required
def email_change(request: HttpRequest, account: ApplicantAccount) -> HttpResponse:
    """Add or change the email address: a link is sent to the new address to confirm it."""
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            confirmation = notify.email_change_request(
                actor=request.user, account=account, email=form.cleaned_data["email"]
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _(
                    "We sent a link to %(email)s. Open it within %(hours)s hours to confirm the address; "
                    "until then nothing changes."
                )
                % {"email": confirmation.email_masked, "hours": settings.ONEVISIT_EMAIL_CONFIRM_HOURS},
            )
            return redirect("portal:account")
    return render(
        request,
        "portal/account/email.html",
        {"form": form, "account": account, "pending_email": selectors.email_pending(account)},
        status=400 if form.errors else 200,
    )


@require_POST
@applicant_required
def email_remove(request: HttpRequest, account: ApplicantAccount) -> HttpResponse:
    if account.email_encrypted:
        notify.email_remove(actor=request.user, account=account)
        messages.success(request, _("Your email address is removed. We will tell you by text message."))
    return redirect("portal:account")


@never_cache
@require_http_methods(["GET", "POST"])
@applicant_required
def email_confirm(request: HttpRequest, account: ApplicantAccount, token: str) -> HttpResponse:
    """The link from the email. Opening it shows a button; only pressing it confirms, so a mail
    scanner that follows links changes nothing."""
    try:
        confirmation = notify.email_confirmation_for(account=account, token=token)
        if request.method == "POST":
            notify.email_change_confirm(actor=request.user, account=account, token=token)
            messages.success(
                request, _("Your email address is confirmed. We will also tell you of your cases by email.")
            )
            return redirect("portal:account")
    except ValidationError as exc:
        return render(request, "portal/account/email_confirm.html", {"problem": exc.messages[0]}, status=400)
    return render(request, "portal/account/email_confirm.html", {"confirmation": confirmation})


@require_POST
@applicant_required
def notifications(request: HttpRequest, account: ApplicantAccount) -> HttpResponse:
    form = NotificationsForm(request.POST)
    if form.is_valid():
        try:
            notify.notification_preferences_set(
                actor=request.user,
                account=account,
                sms_on=form.cleaned_data["sms"],
                email_on=form.cleaned_data["email"],
            )
        except ValidationError as exc:
            # The message belongs to the group of boxes; the summary links to its first box.
            form.add_service_errors(ValidationError({"sms": exc.message_dict["channels"]}))
        else:
            messages.success(request, _("Your choice is saved."))
            return redirect("portal:account")
    return profile_page(request, account, notifications_form=form)
