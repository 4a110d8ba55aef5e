"""Every custom admin form in unfold's own widgets: bordered inputs, date pickers, unfold's
selects and text areas, the same look as the admin's change pages.

`unfold_widgets(form)` swaps each field's plain Django widget for unfold's equivalent, keeping
its attributes (rows, maxlength...) and choices; `form_page` (audit.admin.workflow) applies it to
every form it shows, so a step's form is declared with plain `forms.*Field`s and never names a
widget class. A view that renders a form outside `form_page` inherits `UnfoldFormMixin`.
`preselect_only_choice(form)` chooses a contract when there is only one to choose from
(`form_page` and the upload form apply it).
Templates render each field with `admin/includes/unfold_fields.html` (unfold's field template:
label, widget, then the field's errors and help beside it).
"""

from __future__ import annotations

from django import forms
from django.forms.widgets import Input
from unfold import widgets as unfold


def _admin_widget(widget: forms.Widget) -> bool:
    """Already unfold's, or one of the admin's own (raw id, autocomplete, related-field
    wrapper): given by the ModelAdmin, kept as it is."""
    return any(
        cls.__module__.startswith(("unfold", "django.contrib.admin"))
        for cls in type(widget).__mro__
    )


def _unfold_widget_class(field: forms.Field, widget: forms.Widget):
    """unfold's widget for a field, or None to keep the field's own (hidden, already unfold)."""
    if isinstance(widget, forms.HiddenInput) or _admin_widget(widget):
        return None
    # most specific first: a DateField's DateInput is also a TextInput
    if isinstance(widget, forms.Textarea):
        return unfold.UnfoldAdminTextareaWidget
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return unfold.UnfoldAdminCheckboxSelectMultipleWidget
    if isinstance(widget, forms.RadioSelect):
        return unfold.UnfoldAdminRadioSelectWidget
    if isinstance(widget, forms.SelectMultiple):
        return unfold.UnfoldAdminSelectMultipleWidget
    if isinstance(widget, forms.Select):
        return unfold.UnfoldAdminSelectWidget
    if isinstance(widget, forms.CheckboxInput):
        return unfold.UnfoldBooleanWidget
    if isinstance(widget, forms.FileInput):
        return unfold.UnfoldAdminFileFieldWidget
    if isinstance(widget, forms.PasswordInput):
        return unfold.UnfoldAdminPasswordWidget
    if isinstance(field, forms.DateTimeField):
        return unfold.UnfoldAdminTextInputWidget
    if isinstance(field, forms.DateField):
        return unfold.UnfoldAdminSingleDateWidget
    if isinstance(field, forms.DecimalField):
        return unfold.UnfoldAdminDecimalFieldWidget
    if isinstance(field, forms.IntegerField):
        return unfold.UnfoldAdminIntegerFieldWidget
    if isinstance(field, forms.EmailField):
        return unfold.UnfoldAdminEmailInputWidget
    if isinstance(widget, Input):
        return unfold.UnfoldAdminTextInputWidget
    return None


def unfold_widget(field: forms.Field) -> forms.Widget | None:
    """A new unfold widget for `field`, carrying over what its own widget was given."""
    old = field.widget
    widget_class = _unfold_widget_class(field, old)
    if widget_class is None:
        return None
    attrs = {k: v for k, v in old.attrs.items() if k != "class"}
    new = widget_class(attrs=attrs)
    if hasattr(old, "choices"):
        new.choices = getattr(field, "choices", old.choices)
    if getattr(old, "format", None) and hasattr(new, "format"):
        new.format = old.format
    new.is_required = old.is_required
    new.is_localized = old.is_localized
    return new


def unfold_widgets(form: forms.BaseForm) -> forms.BaseForm:
    """`form` with every field in unfold's widget (see the module doc); returns the form."""
    for field in form.fields.values():
        widget = unfold_widget(field)
        if widget is not None:
            field.widget = widget
    return form


def preselect_only_choice(form: forms.BaseForm, names=("contract",)) -> forms.BaseForm:
    """A required choice among exactly one row comes chosen (an insurer's user with one
    contract does not pick it on every upload); returns the form."""
    for name in names:
        field = form.fields.get(name)
        if (
            isinstance(field, forms.ModelChoiceField)
            and field.required
            and form.initial.get(name) is None
            and field.initial is None
        ):
            only = list(field.queryset[:2])
            if len(only) == 1:
                form.initial[name] = only[0].pk
    return form


class UnfoldFormMixin:
    """First in a form's bases: its fields come out in unfold's widgets."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        unfold_widgets(self)
