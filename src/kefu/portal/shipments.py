"""Where are my goods: a customer enters the shipment number and a contact's mobile number and sees the
tracking events, the promised time and the delivery (运输跟踪 for the customer, seed 003 §8.2)."""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from kefu.core.crypto import lookup_hash
from kefu.customers.models import Contact
from kefu.operations.models import Shipment
from kefu.portal.forms import PortalForm, _normalise_mobile, _text
from kefu.portal.views import _limited


class ShipmentLookupForm(PortalForm):
    number = _text(gettext_lazy("Shipment number"), max_length=40, autocapitalize="characters")
    mobile = _text(
        gettext_lazy("Mobile number of your company's contact"), max_length=20, autocomplete="tel", inputmode="tel"
    )

    def clean_number(self) -> str:
        return re.sub(r"\s", "", self.cleaned_data["number"]).upper()

    def clean_mobile(self) -> str:
        return _normalise_mobile(self.cleaned_data["mobile"])


@never_cache
@require_http_methods(["GET", "POST"])
def shipment_lookup(request: HttpRequest) -> HttpResponse:
    form = ShipmentLookupForm()
    shipment = None
    status = 200
    if request.method == "POST":
        if limited := _limited(request, "lookup"):
            return limited
        form = ShipmentLookupForm(request.POST)
        status = 400
        if form.is_valid():
            found = Shipment.objects.select_related("order").filter(number=form.cleaned_data["number"]).first()
            digest = lookup_hash(form.cleaned_data["mobile"])
            if found is not None and Contact.objects.filter(customer_id=found.customer_id, mobile_hash=digest).exists():
                shipment, status = found, 200
            else:
                status = 404
                form.add_error(None, _("We found no shipment with this number and mobile number. Please check both."))
    context = {"form": form, "shipment": shipment, "events": list(shipment.events.all()) if shipment else []}
    return render(request, "portal/shipment.html", context, status=status)
