"""GET /api/v1/certificates/{number}/: anyone (a bank, another department's system) checks a
certificate — status, issuer, validity, the type's public fields and both signatures; no personal data."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onevisit.certificates import selectors
from onevisit.certificates.masking import display_value, mask_name
from onevisit.certificates.models import field_label
from onevisit.certificates.numbers import number_normalize


class PublicFieldSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField(help_text="The field's name in the current language.")
    value = serializers.CharField()


class CertificateCheckSerializer(serializers.Serializer):
    number = serializers.CharField()
    type = serializers.CharField(help_text="Certificate type code, e.g. business_licence.")
    type_name = serializers.CharField()
    status = serializers.ChoiceField(choices=["valid", "revoked", "expired", "superseded"])
    provisional = serializers.BooleanField()
    holder = serializers.CharField(help_text="An organization's name, or a person's name masked (张*).")
    issuer = serializers.CharField(help_text="Issuing department code.")
    issuer_name = serializers.CharField()
    issued_at = serializers.DateTimeField()
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True, help_text="null = long-term.")
    revoked_at = serializers.DateTimeField(allow_null=True)
    pdf_signature_ok = serializers.BooleanField(
        help_text="The stored PDF is the one issued and its PAdES signature chains to the CA."
    )
    sm2_ok = serializers.BooleanField(
        help_text="The SM2 signature over the certificate's data verifies with the issuer's key."
    )
    public_fields = PublicFieldSerializer(many=True)


def certificate_public(number: str) -> dict[str, Any]:
    try:
        normalized = number_normalize(number[:64])
    except ValidationError as exc:
        raise exceptions.ValidationError({"number": exc.messages}) from exc
    certificate = selectors.certificate_by_number(normalized)
    if certificate is None:
        raise exceptions.NotFound()
    check = selectors.certificate_check(certificate)
    return {
        "number": certificate.number,
        "type": certificate.type.code,
        "type_name": certificate.type.display_name,
        "status": check.status,
        "provisional": certificate.provisional,
        "holder": certificate.holder_org.name
        if certificate.holder_org
        else mask_name(certificate.holder_name),
        "issuer": certificate.issuer.code,
        "issuer_name": certificate.issuer.name,
        "issued_at": certificate.issued_at,
        "valid_from": certificate.valid_from,
        "valid_until": certificate.valid_until,
        "revoked_at": certificate.revoked_at,
        "pdf_signature_ok": check.pdf_signature_ok,
        "sm2_ok": check.sm2_ok,
        "public_fields": [
            {
                "key": f["key"],
                "title": field_label(f),
                "value": display_value(f, certificate.data.get(f["key"])),
            }
            for f in certificate.type.public_fields
        ],
    }


class CertificateCheckView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(
        summary="Check an electronic certificate by its number (public)",
        responses={
            200: CertificateCheckSerializer,
            400: OpenApiResponse(description="The number is malformed or its check character is wrong."),
            404: OpenApiResponse(description="No certificate has this number."),
        },
        tags=["certificates"],
    )
    def get(self, request: Request, number: str) -> Response:
        return Response(CertificateCheckSerializer(certificate_public(number)).data)
