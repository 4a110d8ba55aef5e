from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from claims.settlements.ingest.spec import BY_NAME, family_fits


class CodeColumn(models.TextChoices):
    """The code columns of a settlement file (spec.CODE_COLUMNS)."""

    MED_TYPE = "med_type", _("医疗类别 med_type")
    INSUTYPE = "insutype", _("险种类型 insutype")


class CodeMapping(models.Model):
    """A code an insurer's file may carry in a code column, and the family benefit plans speak
    of. Shipped with the national families (region empty: every city); a city's own codes
    (its region) are added by bureau staff, and override a national one of the same code."""

    column = models.CharField(_("字段"), max_length=16, choices=CodeColumn.choices)
    code = models.CharField(
        _("文件中的代码"), max_length=20, help_text=_("保险机构文件中出现的代码或名称")
    )
    family = models.CharField(
        _("归属类别"),
        max_length=6,
        validators=[RegexValidator(r"^[0-9A-Za-z]+$", _("类别代码只能由字母和数字组成。"))],
        help_text=_("待遇方案中使用的类别代码，如 21（住院）"),
    )
    region = models.ForeignKey(
        "insurance.Region",
        verbose_name=_("适用统筹区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("留空：全国通用"),
    )
    label = models.CharField(_("名称"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("代码对照")
        verbose_name_plural = _("代码对照")
        ordering = ["column", "region", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["column", "region", "code"], name="claims_codemapping_city_uniq"
            ),
            models.UniqueConstraint(
                fields=["column", "code"],
                condition=models.Q(region__isnull=True),
                name="claims_codemapping_national_uniq",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.column} {self.code} → {self.family}"

    def clean(self) -> None:
        self.code = self.code.strip()
        self.family = self.family.strip()
        longest = BY_NAME[self.column].family_length if self.column in BY_NAME else 0
        if self.family and not family_fits(self.column, self.family):
            raise ValidationError({"family": _("该字段的类别代码最长 %(n)d 位。") % {"n": longest}})
