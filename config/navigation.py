"""The admin sidebar: one group per app, built from what the user may see.

Built from the admin's own app list so that a model registered by a later feature appears
without editing this file, and a user never sees a link he has no permission for.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

APP_ICONS = {
    "insurance": "groups",
    "contracts": "handshake",
    "claims": "receipt_long",
    "audit": "shield_person",
    "auth": "admin_panel_settings",
    "django_celery_beat": "schedule",
    "axes": "lock",
    "otp_totp": "key",
}
APP_ORDER = ["insurance", "contracts", "claims", "audit", "auth", "otp_totp"]


def sidebar_navigation(request) -> list[dict]:
    groups = [
        {
            "title": _("首页"),
            "items": [
                {"title": _("工作台"), "icon": "dashboard", "link": reverse("admin:index")},
            ],
        }
    ]
    app_list = admin.site.get_app_list(request)
    app_list.sort(
        key=lambda a: (
            APP_ORDER.index(a["app_label"]) if a["app_label"] in APP_ORDER else len(APP_ORDER),
            str(a["name"]),
        )
    )
    for app in app_list:
        groups.append(
            {
                "title": app["name"],
                "collapsible": True,
                "separator": True,
                "items": [
                    {
                        "title": model["name"],
                        "icon": APP_ICONS.get(app["app_label"], "folder"),
                        "link": model["admin_url"] or model.get("add_url") or "#",
                    }
                    for model in app["models"]
                ],
            }
        )
    return groups
