from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOGOUT = "logout", _("退出")
    REVEAL = "reveal", _("查看完整个人信息")
    EXPORT = "export", _("导出")
    IMPORT = "import", _("导入")
    API_READ = "api_read", _("接口读取个人信息")
    APPROVE = "approve", _("审批")
    REJECT = "reject", _("驳回")
    TRANSITION = "transition", _("状态变更")
    TRANSFER = "transfer", _("拨付")
    PUBLISH = "publish", _("发布")
    BATCH = "batch", _("批量处理")
    KEY_ROTATION = "key_rotation", _("密钥轮换")
    CHAIN_CHECK = "chain_check", _("日志链校验")


class ApiScope(models.TextChoices):
    SETTLEMENTS_WRITE = "settlements:write", _("上传结算数据")
    SETTLEMENTS_READ = "settlements:read", _("查询结算批次")
    CLAIMS_READ = "claims:read", _("查询赔付与复核")
    CLAIMS_WRITE = "claims:write", _("答复复核调整、办理零星报销")
    COMPLAINTS_WRITE = "complaints:write", _("答复投诉")
    PERSONS_READ = "persons:read", _("经授权查询参保人信息")


class ConclusionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SIGNED = "signed", _("已签发")


class AuditOpinion(models.TextChoices):
    UNQUALIFIED = "unqualified", _("无保留意见")
    QUALIFIED = "qualified", _("保留意见")
    ADVERSE = "adverse", _("否定意见")
    DISCLAIMER = "disclaimer", _("无法表示意见")


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("待整改")
    IN_PROGRESS = "in_progress", _("整改中")
    DONE = "done", _("已完成")


class DisclosureStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    CHECKED = "checked", _("已复核")
    PUBLISHED = "published", _("已发布")


class ConsentScope(models.TextChoices):
    # There is deliberately no scope for underwriting or pre-existing-condition checks (R-JN-3).
    IDENTITY = "identity", _("基本身份与参保状态")
    SETTLEMENTS = "settlements", _("指定期间的结算数据（仅用于理赔）")


class ConsentChannel(models.TextChoices):
    WRITTEN = "written", _("书面授权书")
    ESIGN = "esign", _("电子签名")
    COUNTER = "counter", _("经办窗口当面确认")
    APP = "app", _("医保App授权")
