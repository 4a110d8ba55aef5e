from rest_framework import serializers

from claims.choices import FileFormat
from claims.settlements.models import SettlementBatch


class BlankAsNullChoiceField(serializers.ChoiceField):
    """A choice column kept blank until known (a batch rejected before its format was read):
    null in the API, never "", which is not a member of the enum."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, read_only=True, **kwargs)

    def to_representation(self, value):
        return value or None


class BatchUploadSerializer(serializers.Serializer):
    contract = serializers.IntegerField(help_text="合同ID / contract id")
    file = serializers.FileField(help_text="CSV（UTF-8/GBK）、XLSX 或 JSON 行文件")
    encoding = serializers.ChoiceField(
        choices=["", "utf-8", "gbk", "gb18030"], required=False, default=""
    )


class BatchSerializer(serializers.ModelSerializer):
    progress_percent = serializers.IntegerField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    duplicate = serializers.SerializerMethodField()
    file_format = BlankAsNullChoiceField(choices=FileFormat.choices, label="格式")

    class Meta:
        model = SettlementBatch
        fields = (
            "id", "contract", "insurer", "status", "status_display", "progress_percent",
            "filename", "file_size", "sha256", "idempotency_key", "file_format", "encoding",
            "rows_total", "rows_good", "rows_bad", "reversals", "unknown_persons",
            "error_count", "file_problem", "ignored_columns", "errors_preview", "received_at",
            "validated_at", "applied_at", "computed_at", "reconciled_at", "duplicate",
        )  # fmt: skip
        read_only_fields = fields

    def get_duplicate(self, obj) -> bool:
        return bool(self.context.get("duplicate", False))
