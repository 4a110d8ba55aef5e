from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from insurance.choices import RegionLevel

admin_code_validator = RegexValidator(r"^\d{6}$", _("行政区划代码必须是 6 位数字。"))


class Region(models.Model):
    """A pooling region (统筹区): the city and its districts and counties, as a tree."""

    code = models.CharField(
        _("行政区划代码"), max_length=6, unique=True, validators=[admin_code_validator]
    )
    name = models.CharField(_("名称"), max_length=64)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.CharField(_("级别"), max_length=16, choices=RegionLevel.choices)

    class Meta:
        verbose_name = _("统筹区")
        verbose_name_plural = _("统筹区")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def subtree_ids(self) -> list[int]:
        """This region's id and every descendant's (regions are few: one small query per level)."""
        ids = [self.pk]
        frontier = [self.pk]
        while frontier:
            frontier = list(
                Region.objects.filter(parent_id__in=frontier).values_list("id", flat=True)
            )
            ids.extend(frontier)
        return ids


class StaffProfile(models.Model):
    """Which region a staff user works for. No profile or no region: city-wide."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="insurance_profile",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("所属统筹区"), null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("工作人员所属区划")
        verbose_name_plural = _("工作人员所属区划")

    def __str__(self) -> str:
        region = self.region or _("全市")  # outside the f-string, where makemessages sees it
        return f"{self.user} @ {region}"
