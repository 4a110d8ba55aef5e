"""OpenAPI description of the `Authorization: Api-Key <prefix>.<secret>` scheme."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "audit.api.authentication.ApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Api-Key <prefix>.<secret>（由医保部门发放，只显示一次）",
        }


def drop_parameter_titles(result, generator, request, public):
    """Postprocessing hook: a query parameter's schema carries no `title` (django-filter puts
    the model field's Chinese label there), so generated clients name its enum after the
    operation and the parameter (`ApiV1AdjustmentsListStatus`), in ASCII."""
    for item in result.get("paths", {}).values():
        for operation in item.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                parameter.get("schema", {}).pop("title", None)
    return result
