"""Applicant accounts: register (phone → SMS code → details), log in (password or SMS code), log out,
the profile, and the choice of acting for oneself or an organization (经办人).

Thin views: the forms parse, the identity services decide. The phone number between steps is kept in
the session only encrypted.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from onevisit.core import crypto
from onevisit.identity import login as login_audit
from onevisit.identity import selectors, services
from onevisit.identity.models import ApplicantAccount, LoginKind, OtpPurpose

from . import context
from .forms import ActingForForm, CodeForm, PasswordLoginForm, PhoneForm, RegisterDetailsForm

BACKEND = "onevisit.identity.auth.PhonePasswordBackend"
REGISTER_PHONE = "onevisit_register_phone"
REGISTER_VERIFIED = "onevisit_register_verification"
LOGIN_PHONE = "onevisit_login_phone"
NEXT = "onevisit_login_next"
ACTING_FOR = context.ACTING_FOR
ANONYMOUS = "anonymous"

View = Callable[..., HttpResponse]


def applicant_required(view: View) -> View:
    """Pass the signed-in applicant's account to the view; send anyone else to the login page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        account = selectors.account_of(request.user)
        if account is None:
            return redirect_to_login(request.get_full_path(), reverse("portal:login"))
        return view(request, account, *args, **kwargs)

    return wrapper


def _stash_phone(request: HttpRequest, key: str, phone: str) -> None:
    request.session[key] = crypto.encrypt(services.normalize_phone(phone))


def _stashed_phone(request: HttpRequest, key: str) -> str:
    token = request.session.get(key)
    return crypto.decrypt(token) if token else ""


def _safe_next(request: HttpRequest, target: str | None) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("portal:account")


def _page(request: HttpRequest, template: str, form: Any, **context: Any) -> HttpResponse:
    status = 400 if form.errors else 200
    return render(request, template, {"form": form, **context}, status=status)


def _send_code(request: HttpRequest, form: PhoneForm | CodeForm, phone: str, purpose: str) -> bool:
    try:
        services.otp_send(actor=ANONYMOUS, phone=phone, purpose=purpose)
    except ValidationError as exc:
        form.add_service_errors(exc)
        return False
    return True


# --- Register ------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """Step 1 of 3: the phone number; a code is sent to it."""
    if selectors.account_of(request.user) is not None:
        return redirect("portal:account")
    form = PhoneForm(request.POST or None, initial={"phone": _stashed_phone(request, REGISTER_PHONE)})
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        if _send_code(request, form, phone, OtpPurpose.REGISTER):
            _stash_phone(request, REGISTER_PHONE, phone)
            request.session.pop(REGISTER_VERIFIED, None)
            return redirect("portal:register_code")
    return _page(request, "portal/account/register_phone.html", form, step=1)


@never_cache
@require_http_methods(["GET", "POST"])
def register_code(request: HttpRequest) -> HttpResponse:
    """Step 2 of 3: the code from the text message (or send a new one)."""
    phone = _stashed_phone(request, REGISTER_PHONE)
    if not phone:
        return redirect("portal:register")
    form = CodeForm(request.POST if request.POST.get("action") != "resend" else None)
    if request.method == "POST" and request.POST.get("action") == "resend":
        if _send_code(request, form, phone, OtpPurpose.REGISTER):
            messages.success(request, _("We sent a new code to %(phone)s.") % {"phone": crypto.mask(phone)})
            return redirect("portal:register_code")
    elif request.method == "POST" and form.is_valid():
        try:
            otp = services.otp_verify(
                actor=ANONYMOUS, phone=phone, purpose=OtpPurpose.REGISTER, code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            request.session[REGISTER_VERIFIED] = otp.pk
            return redirect("portal:register_details")
    return _page(request, "portal/account/register_code.html", form, step=2, phone_masked=crypto.mask(phone))


@never_cache
@sensitive_post_parameters("password", "id_number")
@require_http_methods(["GET", "POST"])
def register_details(request: HttpRequest) -> HttpResponse:
    """Step 3 of 3: name, ID number and password; then the account is opened and signed in."""
    phone = _stashed_phone(request, REGISTER_PHONE)
    verification = request.session.get(REGISTER_VERIFIED)
    if not phone or not verification:
        return redirect("portal:register")
    if selectors.account_for_phone(phone) is not None:
        messages.info(request, _("This phone number already has an account. Log in instead."))
        return redirect("portal:login")
    form = RegisterDetailsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.applicant_register(
                actor=ANONYMOUS,
                phone=phone,
                verification_id=int(verification),
                name=form.cleaned_data["name"],
                id_number=form.cleaned_data["id_number"],
                password=form.cleaned_data["password"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            login(request, account.user, backend=BACKEND)
            request.session.pop(REGISTER_PHONE, None)
            request.session.pop(REGISTER_VERIFIED, None)
            messages.success(request, _("Your account is ready. You are logged in."))
            return redirect("portal:account")
    return _page(
        request, "portal/account/register_details.html", form, step=3, phone_masked=crypto.mask(phone)
    )


# --- Log in and out --------------------------------------------------------------------------------


def _remember_next(request: HttpRequest) -> None:
    if "next" in request.GET:
        request.session[NEXT] = _safe_next(request, request.GET["next"])


def _finish_login(request: HttpRequest, account: ApplicantAccount) -> HttpResponse:
    target = request.session.pop(NEXT, None)
    login(request, account.user, backend=BACKEND)
    return redirect(_safe_next(request, target))


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def login_password(request: HttpRequest) -> HttpResponse:
    _remember_next(request)
    form = PasswordLoginForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        try:
            attempt = login_audit.login_attempt_begin(
                kind=LoginKind.APPLICANT, identifier=phone, ip=login_audit.client_ip(request)
            )
        except login_audit.LoginLocked as lock:
            form.add_error(None, lock.message)
            form.describe_fields()
            return _page(request, "portal/account/login.html", form, method="password")
        user = authenticate(request, phone=phone, password=form.cleaned_data["password"])
        account = selectors.account_of(user)
        if account is not None:
            login_audit.login_attempt_succeeded(attempt=attempt, user=account.user)
            return _finish_login(request, account)
        failed = login_audit.login_attempt_failed(attempt=attempt)
        if failed.locked is not None:
            form.add_error(None, failed.locked.message)
        else:
            form.add_error(
                "password", login_audit.attempts_left_message(LoginKind.APPLICANT, failed.attempts_left)
            )
        form.describe_fields()
    return _page(request, "portal/account/login.html", form, method="password")


@never_cache
@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    """Log in with a text message code, step 1: the phone number."""
    _remember_next(request)
    form = PhoneForm(request.POST or None, initial={"phone": _stashed_phone(request, LOGIN_PHONE)})
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        if _send_code(request, form, phone, OtpPurpose.LOGIN):
            _stash_phone(request, LOGIN_PHONE, phone)
            return redirect("portal:login_code_verify")
    return _page(request, "portal/account/login.html", form, method="code")


@never_cache
@require_http_methods(["GET", "POST"])
def login_code_verify(request: HttpRequest) -> HttpResponse:
    """Log in with a text message code, step 2: the code."""
    phone = _stashed_phone(request, LOGIN_PHONE)
    if not phone:
        return redirect("portal:login_code")
    form = CodeForm(request.POST if request.POST.get("action") != "resend" else None)
    if request.method == "POST" and request.POST.get("action") == "resend":
        if _send_code(request, form, phone, OtpPurpose.LOGIN):
            messages.success(request, _("We sent a new code to %(phone)s.") % {"phone": crypto.mask(phone)})
            return redirect("portal:login_code_verify")
    elif request.method == "POST" and form.is_valid():
        ip = login_audit.client_ip(request)
        try:
            services.otp_verify(
                actor=ANONYMOUS, phone=phone, purpose=OtpPurpose.LOGIN, code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            login_audit.login_code_record(actor=ANONYMOUS, phone=phone, ip=ip, succeeded=False)
            form.add_service_errors(exc)
        else:
            account = selectors.account_for_phone(phone)
            if account is not None:
                login_audit.login_code_record(actor=account.user, phone=phone, ip=ip, succeeded=True)
                request.session.pop(LOGIN_PHONE, None)
                return _finish_login(request, account)
            login_audit.login_code_record(actor=ANONYMOUS, phone=phone, ip=ip, succeeded=False)
            form.add_error("code", _("The phone number or code is not right."))
            form.describe_fields()
    return _page(request, "portal/account/login_code.html", form, phone_masked=crypto.mask(phone))


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, _("You are logged out."))
    return redirect("portal:home")


# --- Profile and acting for an organization ----------------------------------------------------------


@never_cache
@require_http_methods(["GET"])
@applicant_required
def profile(request: HttpRequest, account: ApplicantAccount) -> HttpResponse:
    return profile_page(request, account)


def profile_page(
    request: HttpRequest, account: ApplicantAccount, notifications_form: Any = None
) -> HttpResponse:
    """The account page; ``notifications_form`` is a rejected choice of channels to show again."""
    from .contact import notifications_form_for

    person = account.person
    authorizations = list(selectors.authorizations_valid(agent=person))
    form = notifications_form or notifications_form_for(account)
    return render(
        request,
        "portal/account/profile.html",
        {
            "account": account,
            "person": person,
            "authorizations": authorizations,
            "acting_for_id": request.session.get(ACTING_FOR) or "",
            "form": form,
            "pending_email": selectors.email_pending(account),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@applicant_required
def acting_for(request: HttpRequest, account: ApplicantAccount) -> HttpResponse:
    form = ActingForForm(request.POST)
    choice = form.data.get("profile", "") if form.is_valid() else ""
    if not choice:
        request.session.pop(ACTING_FOR, None)
        messages.success(request, _("You are now acting for yourself."))
        return redirect("portal:account")
    organization = (
        selectors.organizations_for(account.person).filter(pk=choice).first()
        if str(choice).isdigit()
        else None
    )
    if organization is None:
        messages.error(request, _("You are not authorized to act for that organization."))
        return redirect("portal:account")
    request.session[ACTING_FOR] = organization.pk
    messages.success(
        request, _("You are now acting for %(organization)s.") % {"organization": organization.name}
    )
    return redirect("portal:account")
