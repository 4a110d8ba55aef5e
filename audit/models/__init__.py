from audit.models.user import User

__all__ = ["User"]
