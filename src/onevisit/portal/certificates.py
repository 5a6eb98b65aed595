"""电子证照 pages: the applicant's wallet (我的证照) with download and share links (授权用证), the public
verification page (核验), and the page a third party opens through a share link.

Thin views: the certificates selectors decide who may see what, the services write. Identifiers
(ID numbers) are masked on every page; the public page shows a person's family name only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onevisit.certificates import selectors, services
from onevisit.certificates.masking import display_value, mask_name
from onevisit.certificates.models import Certificate, CertificateStatus, ShareLink, field_label
from onevisit.certificates.numbers import MAX_INPUT, number_normalize
from onevisit.core import crypto
from onevisit.identity.models import ApplicantAccount
from onevisit.identity.selectors import organizations_for

from . import scope
from .account import applicant_required
from .forms import AccountForm

CHIPS = {
    CertificateStatus.VALID: "chip-good",
    CertificateStatus.REVOKED: "chip-bad",
    CertificateStatus.EXPIRED: "chip-warn",
    CertificateStatus.SUPERSEDED: "chip-muted",
}
NEW_SHARE = "onevisit_new_share_link"


def chip(certificate: Certificate) -> str:
    return CHIPS.get(CertificateStatus(certificate.status_on()), "")


def _cards(certificates: QuerySet[Certificate]) -> list[tuple[Certificate, str]]:
    """Valid certificates first, then the others; newest first within each."""
    listed = list(certificates)
    listed.sort(key=lambda c: c.status_on() != CertificateStatus.VALID)
    return [(c, chip(c)) for c in listed]


def rows(certificate: Certificate, *, public_only: bool = False) -> list[tuple[str, str]]:
    """(label, value) of the type's fields in the current language; identifiers masked."""
    fields = certificate.type.public_fields if public_only else certificate.type.fields
    return [(field_label(f), display_value(f, certificate.data.get(f["key"]))) for f in fields]


def _no_index(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _pdf_response(certificate: Certificate) -> HttpResponse:
    if not certificate.pdf:
        raise Http404
    try:
        handle = certificate.pdf.open("rb")
    except OSError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=f"{certificate.number}.pdf", content_type="application/pdf"
    )
    return cast(HttpResponse, response)


# --- forms -------------------------------------------------------------------------------------------


class ShareForm(AccountForm):
    purpose = forms.CharField(
        label=gettext_lazy("What is the link for?"),
        help_text=gettext_lazy("The person who opens it reads this, e.g. 办理银行开户."),
        max_length=services.PURPOSE_MAX,
        error_messages={
            "required": gettext_lazy("Say what the link is for, e.g. 办理银行开户."),
            "max_length": gettext_lazy("Keep this to at most %(limit_value)d characters."),
        },
        widget=forms.TextInput(attrs={"class": "input-wide", "autocomplete": "off"}),
    )
    recipient = forms.CharField(
        label=gettext_lazy("Who gets it (optional)"),
        help_text=gettext_lazy("A name to remind you, e.g. the bank or company."),
        max_length=services.RECIPIENT_MAX,
        required=False,
        error_messages={"max_length": gettext_lazy("Keep this to at most %(limit_value)d characters.")},
        widget=forms.TextInput(attrs={"class": "input-wide", "autocomplete": "off"}),
    )
    days = forms.TypedChoiceField(
        label=gettext_lazy("How long may it be opened?"),
        coerce=int,
        choices=[
            (1, gettext_lazy("1 day")),
            (3, gettext_lazy("3 days")),
            (7, gettext_lazy("7 days")),
            (30, gettext_lazy("30 days")),
        ],
        initial=7,
        error_messages={
            "required": gettext_lazy("Choose how long the link may be opened."),
            "invalid_choice": gettext_lazy("Choose one of the periods listed."),
        },
        widget=forms.RadioSelect,
    )


class VerifyForm(AccountForm):
    number = forms.CharField(
        label=gettext_lazy("Certificate number"),
        help_text=gettext_lazy(
            "As printed on the certificate, e.g. 330100YYZZ2026000001P. Spaces and hyphens are fine."
        ),
        max_length=MAX_INPUT,
        error_messages={
            "required": gettext_lazy("Enter the certificate number."),
            "max_length": gettext_lazy("A certificate number has at most %(limit_value)d characters."),
        },
        widget=forms.TextInput(
            attrs={
                "class": "input-wide",
                "autocomplete": "off",
                "spellcheck": "false",
                "autocapitalize": "characters",
            }
        ),
    )

    def clean_number(self) -> str:
        return number_normalize(self.cleaned_data["number"])


# --- wallet (我的证照) ---------------------------------------------------------------------------------


@dataclass
class WalletGroup:
    title: str
    organization: bool
    items: list[tuple[Certificate, str]]


def _certificate(account: ApplicantAccount, number: str) -> Certificate:
    certificate = selectors.certificate_for_applicant(person=account.person, number=number[:MAX_INPUT])
    if certificate is None:
        raise Http404
    return certificate


@never_cache
@require_GET
@applicant_required
def wallet(request: HttpRequest, account: ApplicantAccount) -> HttpResponse:
    person = account.person
    active = scope.profile_of(request, account).organization
    groups = [
        WalletGroup(
            _("Your own certificates"),
            False,
            _cards(selectors.certificates_of_holder(person=person)),
        )
    ]
    for org in organizations_for(person):
        group = WalletGroup(
            _("Certificates of %(organization)s (you act for it)") % {"organization": org.name},
            True,
            _cards(selectors.certificates_of_holder(org=org)),
        )
        if active is not None and org.pk == active.pk:
            groups.insert(0, group)
        else:
            groups.append(group)
    return render(request, "portal/certificates/wallet.html", {"groups": groups})


def _share_rows(certificate: Certificate) -> QuerySet[ShareLink]:
    return selectors.share_links_of(certificate)


@never_cache
@require_GET
@applicant_required
def certificate_detail(request: HttpRequest, account: ApplicantAccount, number: str) -> HttpResponse:
    certificate = _certificate(account, number)
    new_link = None
    stash = request.session.pop(NEW_SHARE, None)
    if stash and stash.get("number") == certificate.number:
        new_link = crypto.decrypt(stash["url"])
    superseded_by = getattr(certificate, "superseded_by", None)
    return render(
        request,
        "portal/certificates/detail.html",
        {
            "certificate": certificate,
            "chip": chip(certificate),
            "status": certificate.status_on(),
            "rows": rows(certificate),
            "links": list(_share_rows(certificate)),
            "new_link": new_link,
            "superseded_by": superseded_by,
            "verify_url": reverse("portal:certificate_verify_number", args=[certificate.number]),
        },
    )


@never_cache
@require_GET
@applicant_required
def certificate_download(request: HttpRequest, account: ApplicantAccount, number: str) -> HttpResponse:
    return _pdf_response(_certificate(account, number))


@never_cache
@require_http_methods(["GET", "POST"])
@applicant_required
def share_create(request: HttpRequest, account: ApplicantAccount, number: str) -> HttpResponse:
    certificate = _certificate(account, number)
    if certificate.status_on() != CertificateStatus.VALID:
        messages.error(request, _("Only a valid certificate can be shared."))
        return redirect("portal:certificate", number=certificate.number)
    form = ShareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _link, token = services.share_create(
                actor_account=account,
                certificate=certificate,
                purpose=form.cleaned_data["purpose"],
                recipient=form.cleaned_data["recipient"],
                days=form.cleaned_data["days"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            url = request.build_absolute_uri(reverse("portal:certificate_shared", args=[token]))
            request.session[NEW_SHARE] = {"number": certificate.number, "url": crypto.encrypt(url)}
            messages.success(request, _("The link is ready. Copy it now: it is shown only once."))
            return redirect(reverse("portal:certificate", args=[certificate.number]) + "#new-link")
    return render(
        request,
        "portal/certificates/share.html",
        {"certificate": certificate, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@applicant_required
def share_revoke(request: HttpRequest, account: ApplicantAccount, number: str, pk: int) -> HttpResponse:
    certificate = _certificate(account, number)
    link = certificate.share_links.filter(pk=pk).first()
    if link is None:
        raise Http404
    try:
        services.share_revoke(actor_account=account, link=link)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The link is stopped. Nobody can open it any more."))
    return redirect(reverse("portal:certificate", args=[certificate.number]) + "#shares-title")


# --- public verification (核验) -------------------------------------------------------------------------


@require_GET
def verify(request: HttpRequest) -> HttpResponse:
    """The form; a number sent with it goes to its result page once it is well formed."""
    form = VerifyForm(request.GET if "number" in request.GET else None)
    if form.is_bound and form.is_valid():
        return redirect("portal:certificate_verify_number", number=form.cleaned_data["number"])
    return render(
        request, "portal/certificates/verify.html", {"form": form}, status=400 if form.errors else 200
    )


def _public_context(certificate: Certificate) -> dict[str, Any]:
    holder = (
        certificate.holder_org.name
        if certificate.holder_org is not None
        else mask_name(certificate.holder_name)
    )
    return {
        "certificate": certificate,
        "holder": holder,
        "status": certificate.status_on(),
        "chip": chip(certificate),
        "rows": rows(certificate, public_only=True),
        "check": selectors.certificate_check(certificate),
    }


@never_cache
@require_GET
def verify_number(request: HttpRequest, number: str) -> HttpResponse:
    form = VerifyForm({"number": number[: MAX_INPUT + 1]})
    if not form.is_valid():
        return render(request, "portal/certificates/verify.html", {"form": form}, status=400)
    certificate = selectors.certificate_by_number(form.cleaned_data["number"])
    if certificate is None:
        return render(
            request,
            "portal/certificates/verify.html",
            {"form": form, "not_found": form.cleaned_data["number"]},
            status=404,
        )
    return render(request, "portal/certificates/verify_result.html", _public_context(certificate))


# --- share links opened by a third party ----------------------------------------------------------------


def _open(request: HttpRequest, token: str, action: str) -> ShareLink | HttpResponse:
    try:
        return services.share_use(
            token=token[:100],
            ip=request.META.get("REMOTE_ADDR", ""),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            action=action,
        )
    except services.ShareLinkError as exc:
        status = 404 if exc.code == "unknown" else 410
        response = render(
            request, "portal/certificates/shared_error.html", {"message": exc.messages[0]}, status=status
        )
        return _no_index(response)


@never_cache
@require_GET
def shared(request: HttpRequest, token: str) -> HttpResponse:
    link = _open(request, token, "view")
    if isinstance(link, HttpResponse):
        return link
    certificate = link.certificate
    context = {
        "link": link,
        "token": token,
        "certificate": certificate,
        "holder": certificate.holder_name,
        "status": certificate.status_on(),
        "chip": chip(certificate),
        "rows": rows(certificate),
        "check": selectors.certificate_check(certificate),
    }
    return _no_index(render(request, "portal/certificates/shared.html", context))


@never_cache
@require_GET
def shared_download(request: HttpRequest, token: str) -> HttpResponse:
    link = _open(request, token, "download")
    if isinstance(link, HttpResponse):
        return link
    return _no_index(_pdf_response(link.certificate))
