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
