"""django-import-export resource for satisfaction survey results (满意度调查导入).

Columns (Chinese headers): 合同编号, 调查期间起, 调查期间止, 受访人数, 满意人数, 满意度得分,
调查机构. The service `claims.oversight.services.surveys.survey_import` validates every row
first and writes nothing when any row is bad.
"""

from __future__ import annotations

from import_export import fields, resources, widgets

from claims.oversight.models import SatisfactionSurvey
from contracts.models import Contract

COLUMNS = {
    "contract": "合同编号",
    "period_start": "调查期间起",
    "period_end": "调查期间止",
    "respondents": "受访人数",
    "satisfied": "满意人数",
    "score": "满意度得分",
    "source": "调查机构",
}


class SatisfactionSurveyResource(resources.ModelResource):
    contract = fields.Field(
        attribute="contract",
        column_name=COLUMNS["contract"],
        widget=widgets.ForeignKeyWidget(Contract, field="number"),
    )
    period_start = fields.Field(
        attribute="period_start", column_name=COLUMNS["period_start"], widget=widgets.DateWidget()
    )
    period_end = fields.Field(
        attribute="period_end", column_name=COLUMNS["period_end"], widget=widgets.DateWidget()
    )
    respondents = fields.Field(
        attribute="respondents", column_name=COLUMNS["respondents"], widget=widgets.IntegerWidget()
    )
    satisfied = fields.Field(
        attribute="satisfied", column_name=COLUMNS["satisfied"], widget=widgets.IntegerWidget()
    )
    score = fields.Field(
        attribute="score", column_name=COLUMNS["score"], widget=widgets.DecimalWidget()
    )
    source = fields.Field(attribute="source", column_name=COLUMNS["source"])

    def __init__(self, *, actor=None, **kwargs):
        super().__init__(**kwargs)
        self.actor = actor

    class Meta:
        model = SatisfactionSurvey
        fields = tuple(COLUMNS)
        import_id_fields = ("contract", "period_start", "period_end")
        skip_unchanged = False
        use_bulk = False

    def before_save_instance(self, instance, row, **kwargs):
        instance.imported_by = self.actor
