"""Content negotiation for the API's file answers (an error report, a disclosure as CSV).

Such a view answers its file itself, but DRF still negotiates the `Accept` header against the
view's renderers first: with JSON alone, a client asking for the very media type the schema
declares (`Accept: text/csv`) was refused with 406. These renderers accept the file's media types;
what they render is only the view's error (its content type set to problem+json by the problem
handler), so they write JSON like the default renderer.
"""

from rest_framework.renderers import JSONRenderer

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class AcceptsCsv(JSONRenderer):
    media_type = "text/csv"
    format = "csv"


class AcceptsXlsx(JSONRenderer):
    media_type = XLSX
    format = "xlsx"


CSV_ANSWER = (JSONRenderer, AcceptsCsv)
CSV_OR_XLSX_ANSWER = (JSONRenderer, AcceptsCsv, AcceptsXlsx)
