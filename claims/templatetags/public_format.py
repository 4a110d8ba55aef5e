"""`{% load public_format %}`: `{{ value|amount }}` writes an amount as the public outputs do."""

from django import template

from claims.reports import public_text

register = template.Library()
register.filter("amount", public_text.amount)
