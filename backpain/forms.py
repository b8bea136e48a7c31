from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Render every form field through one template so errors sit beside fields."""

    field_template_name = "forms/field.html"
