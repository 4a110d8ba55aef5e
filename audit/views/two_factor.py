"""Setting up and giving the second factor (TOTP, any authenticator app)."""

import segno
from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit import events
from audit.choices import AuditAction


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("动态验证码"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _safe_next(request) -> str:
    target = request.GET.get("next") or request.POST.get("next") or "/admin/"
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "/admin/"


@login_required(login_url="admin:login")
def two_factor(request):
    confirmed = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    device = (
        confirmed
        or TOTPDevice.objects.get_or_create(
            user=request.user, confirmed=False, defaults={"name": "authenticator"}
        )[0]
    )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            if not device.confirmed:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                events.record(
                    action=AuditAction.UPDATE,
                    actor=request.user,
                    obj=request.user,
                    summary="启用双因素认证",
                )
            otp_login(request, device)
            return redirect(_safe_next(request))
        events.record(
            action=AuditAction.LOGIN_FAILED,
            actor=request.user,
            summary="动态验证码错误",
            ip=events.client_ip(request),
        )
        form.add_error("token", _("验证码不正确或已过期，请重新输入。"))
    context = {
        "form": form,
        "setup": not device.confirmed,
        "next": _safe_next(request),
        "title": _("双因素认证"),
    }
    if not device.confirmed:
        context["qr_svg"] = segno.make(device.config_url).svg_inline(scale=4)
        context["secret"] = device.config_url.split("secret=")[1].split("&")[0]
    return render(request, "audit/two_factor.html", context)
