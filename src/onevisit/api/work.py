"""The machine API of work: another department's system lists, claims and completes its department's
work items and reads the cases it may see, with a scoped service token. Thin: one service call each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from onevisit.cases.access import case_read_log
from onevisit.cases.models import Case
from onevisit.cases.services import CaseStateError, case_step_complete
from onevisit.org.models import ServiceToken
from onevisit.workflow.exceptions import WorkflowError, WorkItemConflict, WorkItemForbidden
from onevisit.workflow.models import WorkItem
from onevisit.workflow.selectors import work_items_for_department
from onevisit.workflow.services import work_item_claim

from . import work_serializers as s
from .auth import ServiceTokenAuthentication, TokenScope


class Conflict(exceptions.APIException):
    status_code = 409
    default_code = "conflict"
    default_detail = gettext_lazy("The state changed; reload and try again.")


ERRORS = {
    400: OpenApiResponse(s.ErrorSerializer, description="Bad input; nothing was changed."),
    401: OpenApiResponse(s.ErrorSerializer, description="Missing, forged, expired or revoked token."),
    403: OpenApiResponse(s.ErrorSerializer, description="The token lacks the scope."),
    404: OpenApiResponse(s.ErrorSerializer, description="Not of the token's department."),
    409: OpenApiResponse(s.ErrorSerializer, description="Wrong state, e.g. already completed."),
}


def _errors(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: ERRORS[code] for code in codes}


def _run(call: Callable[[], Any]) -> Any:
    """Turn the services' refusals into the API's status codes."""
    try:
        return call()
    except CaseStateError as exc:
        raise Conflict(" ".join(exc.messages)) from exc
    except WorkItemForbidden as exc:
        raise exceptions.PermissionDenied(str(exc)) from exc
    except WorkItemConflict as exc:
        raise Conflict(str(exc)) from exc
    except WorkflowError as exc:
        raise Conflict(str(exc)) from exc


class TokenViewSet(viewsets.GenericViewSet):
    authentication_classes = [ServiceTokenAuthentication]
    permission_classes = [TokenScope]
    required_scopes: dict[str, list[str]] = {}

    @property
    def token(self) -> ServiceToken:
        token = self.request.auth
        assert isinstance(token, ServiceToken)
        return token


class WorkItemViewSet(TokenViewSet):
    serializer_class = s.WorkItemSerializer
    required_scopes = {
        "list": [ServiceToken.Scope.WORK_ITEMS_READ],
        "claim": [ServiceToken.Scope.WORK_ITEMS_WRITE],
        "complete": [ServiceToken.Scope.WORK_ITEMS_WRITE],
    }

    def get_queryset(self) -> QuerySet[WorkItem]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no token
            return WorkItem.objects.none()
        return WorkItem.objects.filter(department=self.token.department).select_related("department")

    def _context(self, items: list[WorkItem]) -> dict[str, Any]:
        cases = Case.objects.filter(process_instance__in=[i.instance_id for i in items])
        return {"today": timezone.localdate(), "cases": {c.process_instance_id: c for c in cases}}

    def _item(self, pk: Any) -> WorkItem:
        item = self.get_queryset().filter(pk=pk).first() if str(pk).isdigit() else None
        if item is None:
            raise exceptions.NotFound(_("Your department has no such work item."))
        return item

    def _answer(self, item: WorkItem) -> Response:
        item.refresh_from_db()
        return Response(s.WorkItemSerializer(item, context=self._context([item])).data)

    @extend_schema(
        summary="The department's open work items, due first",
        responses={200: s.WorkItemSerializer(many=True), **_errors(401, 403)},
    )
    def list(self, request: Request) -> Response:
        items = work_items_for_department(user=self.token.user, department_codes=[self.token.department.code])
        page = self.paginate_queryset(items)
        rows = list(page if page is not None else items)
        data = s.WorkItemSerializer(rows, many=True, context=self._context(rows)).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(
        summary="Take a work item",
        request=None,
        responses={200: s.WorkItemSerializer, **_errors(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def claim(self, request: Request, pk: str | None = None) -> Response:
        item = self._item(pk)
        _run(lambda: work_item_claim(actor=self.token.user, work_item=item))
        return self._answer(item)

    @extend_schema(
        summary="Complete a work item with a decision",
        request=s.StepCompleteSerializer,
        responses={200: s.WorkItemSerializer, **_errors(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str | None = None) -> Response:
        body = s.StepCompleteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = self._item(pk)
        case = Case.objects.filter(process_instance_id=item.instance_id).first()
        if case is None:
            raise exceptions.NotFound(_("Your department has no such work item."))
        if item.status not in WorkItem.ACTIVE:
            raise Conflict(_("This work item is already %(status)s.") % {"status": item.get_status_display()})
        _run(
            lambda: case_step_complete(
                actor=self.token.user, case=case, work_item=item, **body.validated_data
            )
        )
        return self._answer(item)


class CaseViewSet(mixins.RetrieveModelMixin, TokenViewSet):
    serializer_class = s.CaseSerializer
    lookup_field = "number"
    lookup_value_regex = "[0-9A-Za-z-]{1,32}"
    required_scopes = {"retrieve": [ServiceToken.Scope.CASES_READ]}

    def get_queryset(self) -> QuerySet[Case]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no token
            return Case.objects.none()
        department = self.token.department
        ids = Case.objects.filter(
            Q(department=department) | Q(process_instance__work_items__department=department)
        ).values("pk")
        return (
            Case.objects.filter(pk__in=ids)
            .exclude(status=Case.Status.DRAFT)
            .select_related("item_version__item", "department", "applicant_person", "applicant_org")
            .prefetch_related("materials__requirement")
        )

    @extend_schema(
        summary="A case of the department (or with a step in it)",
        responses={200: s.CaseSerializer, **_errors(401, 403, 404)},
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        case = self.get_object()
        token = self.token
        case_read_log(
            actor=token.user, case=case, kind="api", department=token.department,
            purpose=_("Case read by the system “%(name)s”") % {"name": token.name},
        )  # fmt: skip
        return Response(self.get_serializer(case).data)
