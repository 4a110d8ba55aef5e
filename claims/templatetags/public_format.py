"""`{% load public_format %}`: `{{ value|amount }}` writes an amount as the public outputs do,
`{{ line|settlement_line }}` a settlement line as (label, value)."""

from django import template

from claims.oversight.reports import public_text

register = template.Library()
register.filter("amount", public_text.amount)
register.filter("settlement_line", public_text.settlement_line)
