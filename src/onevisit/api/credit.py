"""The machine API of credit records (信用记录): a department's system looks up a subject's credit history,
adds a record with its legal basis and repairs (信用修复) the records its department made.

Identifiers travel only in request bodies and come back masked. Thin: one service or selector call each.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from onevisit.identity import credit, selectors
from onevisit.identity.models import CreditKind, CreditRecord, Organization, Person
from onevisit.org.models import ServiceToken

from .work import Conflict, TokenViewSet, _errors

# --- serializers ----------------------------------------------------------------------------------


class SubjectSerializer(serializers.Serializer):
    """Whom to look up: exactly one of the two identifiers."""

    id_number = serializers.CharField(
        required=False, allow_blank=True, max_length=40, help_text="居民身份证 number of a person."
    )
    uscc = serializers.CharField(
        required=False, allow_blank=True, max_length=40, help_text="统一社会信用代码 of an organization."
    )


class CreditAddSerializer(SubjectSerializer):
    kind = serializers.ChoiceField(choices=CreditKind.choices)
    reason = serializers.CharField(allow_blank=True, trim_whitespace=False, help_text="What the subject did.")
    legal_basis = serializers.CharField(allow_blank=True, trim_whitespace=False)
    valid_until = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Last day the record counts; null: until repaired.",
    )


class CreditRepairSerializer(serializers.Serializer):
    reason = serializers.CharField(
        allow_blank=True, trim_whitespace=False, help_text="Why the credit is repaired."
    )


class CreditEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    action = serializers.CharField(help_text="credit_record_added or credit_record_repaired.")
    by = serializers.CharField(source="actor_label")


class CreditRecordSerializer(serializers.ModelSerializer):
    subject_kind = serializers.SerializerMethodField()
    subject_name = serializers.CharField(read_only=True)
    subject_id_masked = serializers.CharField(
        source="subject_masked", read_only=True, help_text="The ID number or USCC, masked."
    )
    department = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)  # type: ignore[var-annotated]
    recorded_by = serializers.CharField(source="recorded_by_label", read_only=True)
    repaired_by = serializers.CharField(source="repaired_by_label", read_only=True)
    in_force = serializers.SerializerMethodField(help_text="Whether the record bars 容缺 and 告知承诺 today.")
    history = serializers.SerializerMethodField(help_text="The record's events, oldest first.")

    class Meta:
        model = CreditRecord
        fields = [
            "id", "subject_kind", "subject_name", "subject_id_masked", "kind", "reason", "legal_basis",
            "department", "recorded_at", "recorded_by", "valid_until", "in_force", "repaired_at", "repaired_by",
            "repair_reason", "history",
        ]  # fmt: skip

    @extend_schema_field(serializers.ChoiceField(choices=["person", "organization"]))
    def get_subject_kind(self, obj: CreditRecord) -> str:
        return "person" if obj.person_id else "organization"

    @extend_schema_field(serializers.BooleanField())
    def get_in_force(self, obj: CreditRecord) -> bool:
        return obj.in_force(self.context.get("today"))

    @extend_schema_field(CreditEventSerializer(many=True))
    def get_history(self, obj: CreditRecord) -> list[dict[str, Any]]:
        events = self.context.get("events") or selectors.credit_record_events([obj])
        return CreditEventSerializer(events.get(obj.pk, []), many=True).data  # type: ignore[return-value]


class CreditHistorySerializer(serializers.Serializer):
    clean = serializers.BooleanField(help_text="No record in force: the subject may use 容缺 (credit-wise).")
    commitment_clean = serializers.BooleanField(
        help_text="No serious bad credit or false commitment in force: the subject may use 告知承诺 (credit-wise)."
    )
    records = CreditRecordSerializer(many=True)


# --- views ----------------------------------------------------------------------------------------


def _subject(data: dict[str, Any], *, missing: type[exceptions.APIException]) -> dict[str, Any]:
    """{"person": …} or {"org": …} from the body's identifier; a malformed one is a 400, an unknown one
    raises ``missing`` (404 for a lookup, 400 for a new record)."""
    id_number, code = (data.get("id_number") or "").strip(), (data.get("uscc") or "").strip()
    if bool(id_number) == bool(code):
        raise ValidationError(
            {"id_number": _("Give either the ID number of a person or the USCC of an organization.")}
        )
    if id_number:
        person: Person | None = selectors.person_by_id_number(id_number)
        if person is None:
            raise missing({"id_number": [_("No person with this ID number is registered.")]})
        return {"person": person}
    org: Organization | None = selectors.organization_by_uscc(code)
    if org is None:
        raise missing({"uscc": [_("No organization with this code is registered.")]})
    return {"org": org}


class UnknownSubject(exceptions.NotFound):
    def __init__(self, detail: dict[str, list[str]]) -> None:
        super().__init__(next(iter(detail.values()))[0])


class CreditRecordViewSet(TokenViewSet):
    serializer_class = CreditRecordSerializer
    queryset = (
        CreditRecord.objects.none()
    )  # rows are looked up per action, scoped to the subject or department
    required_scopes = {
        "search": [ServiceToken.Scope.CREDIT_READ],
        "create": [ServiceToken.Scope.CREDIT_WRITE],
        "repair": [ServiceToken.Scope.CREDIT_WRITE],
    }

    def _answer(self, record: CreditRecord, code: int = status.HTTP_200_OK) -> Response:
        record = CreditRecord.objects.select_related("person", "org", "department").get(pk=record.pk)
        context = {"today": timezone.localdate(), "events": selectors.credit_record_events([record])}
        return Response(CreditRecordSerializer(record, context=context).data, status=code)

    @extend_schema(
        summary="A subject's credit history and whether it bars 容缺 / 告知承诺",
        request=SubjectSerializer,
        responses={200: CreditHistorySerializer, **_errors(400, 401, 403, 404)},
    )
    @action(detail=False, methods=["post"])
    def search(self, request: Request) -> Response:
        body = SubjectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        subject = _subject(body.validated_data, missing=UnknownSubject)
        token = self.token
        records = credit.credit_records_read(
            actor=token.user,
            purpose=_("Credit check by the system “%(name)s”") % {"name": token.name},
            **subject,
        )
        today = timezone.localdate()
        in_force = [r for r in records if r.in_force(today)]
        context = {"today": today, "events": selectors.credit_record_events(records)}
        data = {
            "clean": not in_force,
            "commitment_clean": not [r for r in in_force if r.kind in selectors.COMMITMENT_BARRING_KINDS],
            "records": CreditRecordSerializer(records, many=True, context=context).data,
        }
        return Response(data)

    @extend_schema(
        summary="Add a credit record (the token's department is its source)",
        request=CreditAddSerializer,
        responses={201: CreditRecordSerializer, **_errors(400, 401, 403)},
    )
    def create(self, request: Request) -> Response:
        body = CreditAddSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        subject = _subject(data, missing=exceptions.ValidationError)
        record = credit.credit_record_add(
            actor=self.token.user, kind=data["kind"], reason=data["reason"], legal_basis=data["legal_basis"],
            valid_until=data.get("valid_until"), department=self.token.department, **subject,
        )  # fmt: skip
        return self._answer(record, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Repair (信用修复) a record of the token's department",
        request=CreditRepairSerializer,
        responses={200: CreditRecordSerializer, **_errors(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def repair(self, request: Request, pk: str | None = None) -> Response:
        body = CreditRepairSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        record = (
            CreditRecord.objects.filter(pk=int(str(pk)), department=self.token.department).first()
            if str(pk).isdigit()
            else None
        )
        if record is None:
            raise exceptions.NotFound(_("Your department made no such credit record."))
        try:
            credit.credit_record_repair(
                actor=self.token.user, record=record, reason=body.validated_data["reason"]
            )
        except credit.CreditRecordStateError as exc:
            raise Conflict(" ".join(exc.messages)) from exc
        return self._answer(record)
