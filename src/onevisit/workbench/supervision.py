"""电子监察 pages: the supervision screen (cards and running cases against their limits), 督办单 (issue,
reply, close) and the departments' efficiency scores. Supervisors see their region's departments;
officers and approvers their own departments' cards and orders. Views are thin."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from onevisit.cases.models import Case
from onevisit.supervision import board, orders, score
from onevisit.supervision.models import Alarm

from .forms import LenientFilterForm
from .views import staff_required

PAGE_SIZE = 50


def _watching(user: Any) -> None:
    if not orders.watched_departments(user).exists():
        raise PermissionDenied


class BoardFilterForm(LenientFilterForm):
    """The screen's filters, from the query string. A value that is not one of the user's choices
    (another region, garbage) is dropped with a note; the other filters still apply."""

    region = forms.ChoiceField(label=gettext_lazy("Region"), required=False)
    department = forms.ChoiceField(label=gettext_lazy("Department"), required=False)
    item = forms.ChoiceField(label=gettext_lazy("Service"), required=False)
    card = forms.ChoiceField(
        label=gettext_lazy("Card"),
        required=False,
        choices=[
            ("", gettext_lazy("Any")),
            ("red", gettext_lazy("Red card")),
            ("yellow", gettext_lazy("Yellow card")),
            ("none", gettext_lazy("No card")),
        ],
    )
    state = forms.ChoiceField(
        label=gettext_lazy("Cards shown"),
        required=False,
        choices=[
            ("open", gettext_lazy("Open cards")),
            ("closed", gettext_lazy("Closed cards (history)")),
            ("all", gettext_lazy("All cards")),
        ],
    )

    def __init__(self, data: Any, *, departments: list[int]) -> None:
        super().__init__(data)
        self.fields["region"].choices = [("", gettext_lazy("All my regions"))] + [  # type: ignore[attr-defined]
            (r.code, f"{r.name}（{r.code}）") for r in board.regions_watched(departments)
        ]
        self.fields["department"].choices = [("", gettext_lazy("All"))] + [  # type: ignore[attr-defined]
            (d.code, str(d)) for d in board.departments_choices(departments)
        ]
        self.fields["item"].choices = [("", gettext_lazy("Any"))] + [  # type: ignore[attr-defined]
            (code, f"{name}（{code}）")
            for code, name in board.items_watched(departments).values_list("code", "name")
        ]

    def filters(self) -> tuple[board.BoardFilters, list[str]]:
        clean, notes = self.lenient()
        return (
            board.BoardFilters(
                region=clean.get("region", ""), department=clean.get("department", ""),
                item=clean.get("item", ""), card=clean.get("card", ""), state=clean.get("state") or "open",
            ),
            notes,
        )  # fmt: skip


def _query(request: HttpRequest, **changes: Any) -> str:
    data = {
        k: v
        for k, v in request.GET.items()
        if k in BoardFilterForm.base_fields or k in ("page", "cards_page")
    }
    data.update(changes)
    return urlencode({k: v for k, v in data.items() if v})


def _page(queryset: Any, number: str | None, count: int | None = None) -> Any:
    """One page of ``queryset``; ``count``, when known from the counts shown, saves a COUNT query."""
    paginator = Paginator(queryset, PAGE_SIZE)
    if count is not None:
        paginator.__dict__["count"] = count  # Paginator.count is a cached property
    return paginator.get_page(number)


@require_http_methods(["GET"])
@staff_required
def supervision(request: HttpRequest) -> HttpResponse:
    user = request.user
    departments = board.watched_ids(user)
    if not departments:
        raise PermissionDenied
    today = timezone.localdate()
    form = BoardFilterForm(request.GET, departments=departments)
    filters, notes = form.filters()
    card_counts = board.card_counts(departments=departments, filters=filters)
    case_counts = board.case_counts(departments=departments, filters=filters)
    known_cards = (
        (card_counts.get(filters.card, 0) if filters.card else sum(card_counts.values()))
        if filters.state == "open"
        else None
    )
    cards = _page(
        board.cards_for(departments=departments, filters=filters), request.GET.get("cards_page"), known_cards
    )
    cases = _page(
        board.cases_for(departments=departments, filters=filters, counts=case_counts), request.GET.get("page")
    )
    context = {
        "nav": "supervision", "form": form, "notes": notes, "filters": filters, "today": today,
        "cards": cards, "cases": cases,
        "rows": board.case_rows(departments=departments, cases=list(cases.object_list), today=today),
        "card_counts": [
            (level, card_counts.get(level, 0), _query(request, card=level, page="", cards_page=""), filters.card == level)
            for level in ("red", "yellow")
        ],
        "case_counts": case_counts,
        "is_supervisor": orders.supervised_departments(user).exists(),
        "cards_query": _query(request, cards_page=""), "cases_query": _query(request, page=""),
        "filtered": any(request.GET.get(k) for k in BoardFilterForm.base_fields),
    }  # fmt: skip
    return render(request, "workbench/supervision.html", context)


class OrderForm(forms.Form):
    department: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None, label=gettext_lazy("Department"), empty_label=None
    )
    message = forms.CharField(
        label=gettext_lazy("What the department must do"), widget=forms.Textarea(attrs={"rows": 4})
    )
    reply_days = forms.IntegerField(
        label=gettext_lazy("Working days to reply"),
        min_value=orders.MIN_REPLY_DAYS,
        max_value=orders.MAX_REPLY_DAYS,
    )

    REQUIRED = {
        "department": gettext_lazy("Choose the department the order goes to."),
        "message": gettext_lazy("Say what the department must do."),
        "reply_days": gettext_lazy("Give the working days to reply, from 1 to 30."),
    }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = orders.supervised_departments(user).select_related(  # type: ignore[attr-defined]
            "region"
        )
        for name, text in self.REQUIRED.items():
            self.fields[name].error_messages["required"] = text
        self.fields["reply_days"].error_messages["invalid"] = self.REQUIRED["reply_days"]


def _errors_into(form: forms.Form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, errors in error.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _id(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 12 else None


@require_http_methods(["GET", "POST"])
@staff_required
def order_new(request: HttpRequest) -> HttpResponse:
    """督办单 about a card (``?alarm=``) or a case (``?case=``) of a department the supervisor watches."""
    user = request.user
    departments = orders.supervised_departments(user)
    if not departments.exists():
        raise PermissionDenied
    source = request.POST if request.method == "POST" else request.GET
    alarm = case = None
    alarm_id, case_id = _id(source.get("alarm")), _id(source.get("case"))
    if alarm_id is not None:
        alarm = (
            Alarm.objects.filter(pk=alarm_id, department__in=departments.values("pk"))
            .select_related("case__item_version", "department")
            .first()
        )
        if alarm is None:
            raise Http404
        case = alarm.case
    elif case_id is not None:
        case = Case.objects.filter(pk=case_id, department__in=departments.values("pk")).first()
        if case is None:
            raise Http404
    else:
        raise Http404
    initial = {"department": alarm.department_id if alarm else case.department_id, "reply_days": 3}
    form = OrderForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = orders.order_issue(
                actor=user, department=data["department"], message=data["message"],
                reply_days=data["reply_days"], case=case, alarm=alarm,
            )  # fmt: skip
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(
                request,
                _("督办单 #%(n)d is issued to %(department)s; reply by %(date)s.")
                % {"n": order.pk, "department": order.department.name, "date": f"{order.reply_due:%Y-%m-%d}"},
            )
            return redirect("workbench:supervision_order", pk=order.pk)
    error_form = form if form.errors else None
    context = {
        "nav": "supervision", "form": form, "alarm": alarm, "case": case, "error_form": error_form,
        "today": timezone.localdate(),
    }  # fmt: skip
    return render(request, "workbench/supervision_order_new.html", context, status=400 if error_form else 200)


@require_http_methods(["GET"])
@staff_required
def order_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    _watching(user)
    page = Paginator(orders.orders_visible(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "workbench/supervision_orders.html",
        {"nav": "supervision", "orders": page, "today": timezone.localdate()},
    )


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=gettext_lazy("Reply: what the department did or will do"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": gettext_lazy("Write the reply: what the department did or will do.")},
    )


@require_http_methods(["GET", "POST"])
@staff_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    order = orders.order_visible(user, pk)
    if order is None:
        raise Http404
    can_reply, can_close = orders.may_reply(user, order), orders.may_supervise(user, order.department)
    form = ReplyForm(request.POST if request.POST.get("action") == "reply" else None)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "reply" and can_reply:
                if form.is_valid():
                    orders.order_reply(actor=user, order=order, reply=form.cleaned_data["reply"])
                    messages.success(request, _("Your reply is recorded."))
                    return redirect("workbench:supervision_order", pk=order.pk)
            elif action == "close" and can_close:
                try:
                    orders.order_close(actor=user, order=order)
                except ValidationError as error:
                    for text in error.messages:
                        messages.error(request, text)
                else:
                    messages.success(request, _("The 督办单 is closed."))
                return redirect("workbench:supervision_order", pk=order.pk)
            else:
                raise PermissionDenied
        except ValidationError as error:
            _errors_into(form, error)
        order.refresh_from_db()
        status = 400
    error_form = form if form.errors else None
    context = {
        "nav": "supervision", "order": order, "form": form, "error_form": error_form,
        "can_reply": can_reply and order.status == order.Status.OPEN,
        "can_close": can_close and order.status != order.Status.CLOSED, "today": timezone.localdate(),
    }  # fmt: skip
    return render(request, "workbench/supervision_order.html", context, status=status)


class PeriodForm(forms.Form):
    since = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def period(self, today: dt.date) -> tuple[dt.date, dt.date, list[str]]:
        """The period asked for, or this month so far with a note saying why it was not used."""
        default = (today.replace(day=1), today)
        if not self.is_valid():
            return (*default, [_("A date was not understood (use YYYY-MM-DD); this month is shown.")])
        since, until = self.cleaned_data.get("since"), self.cleaned_data.get("until")
        if since is None and until is None:
            return (*default, [])
        since, until = since or default[0], until or today
        if since > until:
            return (*default, [_("The period ends before it starts; this month is shown.")])
        if (until - since).days >= score.MAX_DAYS:
            return (*default, [_("The period may be at most a year; this month is shown.")])
        return since, until, []


@require_http_methods(["GET"])
@staff_required
def score_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    _watching(user)
    today = timezone.localdate()
    form = PeriodForm(request.GET or None)
    since, until, notes = form.period(today) if request.GET else (today.replace(day=1), today, [])
    scores = score.department_scores(
        departments=orders.watched_departments(user).order_by("region__code", "code"),
        since=since, until=until, today=today,
    )  # fmt: skip
    context = {
        "nav": "supervision", "form": form, "notes": notes, "since": since, "until": until, "scores": scores,
        "weights": score.WEIGHTS, "start": score.START,
    }  # fmt: skip
    return render(request, "workbench/supervision_score.html", context)
