"""The filters of every indicator reading (period, region, department, item, channel), checked once
for the dashboards, the exports and the API alike: a reversed or over-long period and unknown codes
are refused with a message, and nothing is computed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onevisit.catalog.models import Channel, ServiceItem
from onevisit.core.indicators import Scope
from onevisit.org.models import Department, Region

MAX_YEARS = 10


def _year_ago(today: dt.date) -> dt.date:
    index = today.year * 12 + today.month - 1 - 11
    return dt.date(index // 12, index % 12 + 1, 1)


class FilterForm(forms.Form):
    since = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    region = forms.CharField(label=gettext_lazy("Region code"), required=False, max_length=12)
    department = forms.CharField(label=gettext_lazy("Department"), required=False, max_length=40)
    item = forms.CharField(label=gettext_lazy("Service item"), required=False, max_length=40)
    channel = forms.CharField(label=gettext_lazy("Channel"), required=False, max_length=20)

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        if data is not None:  # show the period used when none was asked for
            data = data.copy()
            today = timezone.localdate()
            if not data.get("since"):
                data["since"] = _year_ago(today).isoformat()
            if not data.get("until"):
                data["until"] = today.isoformat()
        super().__init__(data, **kwargs)
        bad_date = gettext_lazy("Enter a date such as 2026-01-31.")
        for name in ("since", "until"):
            self.fields[name].error_messages["invalid"] = bad_date
        for name in ("region", "department", "item", "channel"):
            self.fields[name].error_messages["max_length"] = gettext_lazy("This code is too long.")
        departments = Department.objects.order_by("code").values_list("code", "name")
        items = ServiceItem.objects.order_by("code").values_list("code", "name")
        regions = Region.objects.order_by("code").values_list("code", "name")
        self.fields["region"].widget = forms.Select(
            choices=[("", _("All regions")), *[(c, f"{n} {c}") for c, n in regions]]
        )
        self.fields["department"].widget = forms.Select(choices=[("", _("All departments")), *departments])
        self.fields["item"].widget = forms.Select(
            choices=[("", _("All services")), *[(c, f"{n} {c}") for c, n in items]]
        )
        self.fields["channel"].widget = forms.Select(choices=[("", _("All channels")), *Channel.choices])

    def clean_region(self) -> Region | None:
        code = self.cleaned_data["region"].strip()
        if not code:
            return None
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise ValidationError(_("There is no region with the code “%(code)s”.") % {"code": code})
        return region

    def clean_department(self) -> Department | None:
        code = self.cleaned_data["department"].strip()
        if not code:
            return None
        department = Department.objects.filter(code=code).first()
        if department is None:
            raise ValidationError(_("There is no department with the code “%(code)s”.") % {"code": code})
        return department

    def clean_item(self) -> str | None:
        code = self.cleaned_data["item"].strip()
        if not code:
            return None
        if not ServiceItem.objects.filter(code=code).exists():
            raise ValidationError(_("There is no service item with the code “%(code)s”.") % {"code": code})
        return code

    def clean_channel(self) -> str | None:
        value = self.cleaned_data["channel"].strip()
        if not value:
            return None
        if value not in Channel.values:
            raise ValidationError(_("“%(value)s” is not a channel.") % {"value": value})
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        if "since" in data and "until" in data:
            since = data["since"] or _year_ago(today)
            until = data["until"] or today
            if until < since:
                raise ValidationError(
                    _("The period ends before it starts: the end date must be on or after the start date.")
                )
            if (until - since).days > MAX_YEARS * 366:
                raise ValidationError(
                    _("The period may span at most %(years)s years.") % {"years": MAX_YEARS}
                )
            data["since"], data["until"] = since, until
        return data

    def scope(self) -> Scope:
        data = self.cleaned_data
        return Scope(
            since=data["since"],
            until=data["until"],
            region_code=data["region"].code if data["region"] else None,
            department_id=data["department"].pk if data["department"] else None,
            item_code=data["item"],
            channel=data["channel"],
        )

    def labels(self) -> dict[str, str]:  # shown in the exports' headers
        data = self.cleaned_data
        return {
            _("Region"): data["region"].name if data["region"] else "",
            _("Department"): data["department"].name if data["department"] else "",
            _("Service item"): data["item"] or "",
            _("Channel"): str(Channel(data["channel"]).label) if data["channel"] else "",
        }
