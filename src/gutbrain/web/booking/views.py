"""Public booking pages (no sign-in: a token in the link stands for the booker) and the
practitioner's pages (availability, own bookings, cancelling)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gutbrain.web.access import current_user, role_required
from gutbrain.web.accounts.models import Practice, Role
from gutbrain.web.booking import services
from gutbrain.web.booking.forms import AvailabilityForm, BookerForm, RuleForm
from gutbrain.web.booking.models import Availability, Booking, BookingStatus, WeeklyRule
from gutbrain.web.booking.slots import Slot
from gutbrain.web.clients.models import hash_token

__all__ = [
    "availability",
    "booking_cancel",
    "booking_list",
    "public_book",
    "public_manage",
    "public_page",
    "public_verify",
]

STAMP = "%Y%m%dT%H%MZ"


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime(STAMP)


def _parse_stamp(value: str) -> datetime:
    try:
        return datetime.strptime(value, STAMP).replace(tzinfo=UTC)
    except ValueError:
        raise Http404("no such time") from None


def _published(practice_id: int) -> list[Availability]:
    return list(
        Availability.objects.filter(
            published=True,
            practitioner__practice_id=practice_id,
            practitioner__is_active=True,
            practitioner__role=Role.PRACTITIONER,
        )
        .select_related("practitioner")
        .prefetch_related("rules")
    )


def _slot_rows(availability: Availability, slots: list[Slot]) -> list[dict[str, object]]:
    tz = ZoneInfo(availability.time_zone)
    return [{"stamp": _stamp(s.start), "local": s.start.astimezone(tz)} for s in slots]


# --- public -----------------------------------------------------------------------------------


@login_not_required
@require_safe
def public_page(request: HttpRequest, practice_id: int) -> HttpResponse:
    """The practice's booking page: free slots of each practitioner who publishes them."""
    practice = get_object_or_404(Practice, pk=practice_id)
    offers = _published(practice.pk)
    if not offers:
        raise Http404("no bookings")
    now = timezone.now()
    rows = [
        {
            "practitioner": a.practitioner,
            "time_zone": a.time_zone,
            "slots": _slot_rows(a, services.free_slots_for(a, now)),
        }
        for a in offers
    ]
    return render(request, "booking/public.html", {"practice": practice, "rows": rows})


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
def public_book(
    request: HttpRequest, practice_id: int, practitioner_id: int, start: str
) -> HttpResponse:
    """Name and e-mail for one slot; holds it as pending and sends the confirmation link."""
    when = _parse_stamp(start)
    offer = next((a for a in _published(practice_id) if a.practitioner_id == practitioner_id), None)
    if offer is None:
        raise Http404("no bookings")
    form = BookerForm(request.POST or None)
    tz = ZoneInfo(offer.time_zone)
    context = {
        "form": form,
        "offer": offer,
        "local": when.astimezone(tz),
        "practice": offer.practitioner.practice,
    }
    if request.method == "POST" and form.is_valid():
        try:
            booking, token = services.book(
                practitioner_id=practitioner_id,
                start=when,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
            )
        except services.BookingError as exc:
            form.add_error(None, str(exc))
        else:
            link = request.build_absolute_uri(reverse("booking_verify", args=[token]))
            services.send_verification_mail(booking, link)
            return render(request, "booking/check_mail.html", {"booking": booking}, status=201)
    return render(request, "booking/book.html", context)


def _gone(request: HttpRequest) -> HttpResponse:
    return render(request, "booking/link_invalid.html", status=404)


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
def public_verify(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mail link. GET asks (mail scanners open links), POST confirms, once."""
    pending = (
        Booking.objects.filter(
            verify_token_hash=hash_token(token),
            status=BookingStatus.PENDING,
            verify_expires_at__gt=timezone.now(),
        )
        .select_related("practice")
        .first()
    )
    if pending is None:
        return _gone(request)
    if request.method == "POST":
        result = services.confirm(
            token,
            link_for=lambda t: request.build_absolute_uri(reverse("booking_manage", args=[t])),
        )
        if result is None:
            return _gone(request)
        return render(request, "booking/confirmed.html", {"booking": result[0]})
    return render(request, "booking/verify.html", {"booking": pending})


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
def public_manage(request: HttpRequest, token: str) -> HttpResponse:
    """Cancel or move a confirmed booking (link from the confirmation e-mail)."""
    booking = services.by_manage_token(token)
    if booking is None:
        return _gone(request)
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "cancel":
                services.cancel(booking, by_booker=True)
                return render(request, "booking/cancelled.html", {"booking": booking})
            new = _parse_stamp(str(request.POST.get("start", "")))
            booking = services.reschedule(booking, new)
            messages.success(
                request, "Your consultation was moved; a new calendar entry is on its way."
            )
            return redirect("booking_manage", token=token)
        except services.BookingError as exc:
            error = str(exc)
    offer = (
        Availability.objects.filter(practitioner_id=booking.practitioner_id, published=True)
        .prefetch_related("rules")
        .first()
    )
    changeable = services.can_change(booking)
    slots = (
        _slot_rows(offer, services.free_slots_for(offer, exclude=booking))
        if offer and changeable
        else []
    )
    tz = ZoneInfo(offer.time_zone if offer else "UTC")
    return render(
        request,
        "booking/manage.html",
        {
            "booking": booking,
            "local": booking.start.astimezone(tz),
            "slots": slots,
            "changeable": changeable,
            "error": error,
        },
        status=400 if error else 200,
    )


# --- practitioner -----------------------------------------------------------------------------


@require_safe
@role_required(Role.OWNER, Role.PRACTITIONER)
def booking_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    bookings = (
        Booking.objects.visible_to(user)
        .select_related("practitioner")
        .filter(end__gte=timezone.now())
        .order_by("start")
    )
    return render(request, "booking/list.html", {"bookings": bookings})


@require_POST
@role_required(Role.OWNER, Role.PRACTITIONER)
def booking_cancel(request: HttpRequest, pk: UUID) -> HttpResponse:
    user = current_user(request)
    booking = get_object_or_404(
        Booking.objects.visible_to(user).select_related("practice", "practitioner"), pk=pk
    )
    try:
        services.cancel(booking, by_booker=False)
    except services.BookingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The booking was cancelled and the booker told.")
    return redirect("booking_list")


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.PRACTITIONER)
def availability(request: HttpRequest) -> HttpResponse:
    """The practitioner's own availability settings and weekly rules."""
    user = current_user(request)
    offer, _ = Availability.objects.get_or_create(practitioner=user)
    action = request.POST.get("action") if request.method == "POST" else None
    form = AvailabilityForm(request.POST if action == "settings" else None, instance=offer)
    rule_form = RuleForm(request.POST if action == "add_rule" else None)
    if action == "settings" and form.is_valid():
        form.save()
        messages.success(request, "Availability saved.")
        return redirect("booking_availability")
    if action == "add_rule" and rule_form.is_valid():
        rule = rule_form.save(commit=False)
        rule.availability = offer
        rule.save()
        return redirect("booking_availability")
    if action == "delete_rule":
        rule_id = str(request.POST.get("rule", ""))
        if rule_id.isdigit():
            WeeklyRule.objects.filter(availability=offer, pk=int(rule_id)).delete()
        return redirect("booking_availability")
    public_url = request.build_absolute_uri(reverse("booking_public", args=[user.practice_id]))
    return render(
        request,
        "booking/availability.html",
        {
            "form": form,
            "rule_form": rule_form,
            "rules": offer.rules.all(),
            "public_url": public_url,
        },
    )
