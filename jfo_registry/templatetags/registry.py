"""Formatting and small page helpers shared by every template."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jfo_registry.core.fiscal import FiscalYear

register = template.Library()


def _french() -> bool:
    return (get_language() or "en")[:2] == "fr"


@register.filter
def money(value) -> str:
    """Whole dollars in the page language: $1,177,110 / 1 177 110 $."""
    if value is None or value == "":
        return "—"
    amount = Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    digits = number_format(amount, decimal_pos=0, use_l10n=True, force_grouping=True)
    return f"{digits}\u00a0$" if _french() else f"${digits}"


@register.filter
def fte(value) -> str:
    """FTE with one decimal, or two when needed: 17.5 / 17,5; 0.25 / 0,25."""
    if value is None or value == "":
        return "—"
    amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    places = 1 if amount == amount.quantize(Decimal("0.1")) else 2
    return number_format(amount, decimal_pos=places, use_l10n=True, force_grouping=True)


@register.filter
def years(value) -> str:
    if value is None:
        return "—"
    return number_format(Decimal(str(value)).quantize(Decimal("0.1")), decimal_pos=1, use_l10n=True)


@register.filter
def fiscal_year_of(day) -> str:
    """The label of the fiscal year holding `day` (a date): 2011-03-31 -> "2010-2011"; "" for none
    (no day, or one outside the fiscal years the registry can hold)."""
    try:
        return FiscalYear.of(day).label if day else ""
    except ValueError:
        return ""


@register.filter
def percent(value) -> str:
    if value is None:
        return "—"
    number = number_format(Decimal(str(value)) * 100, decimal_pos=0, use_l10n=True)
    return f"{number}\u00a0%" if _french() else f"{number}%"


@register.simple_tag(takes_context=True)
def query(context, **changes) -> str:
    """The current query string with some parameters replaced (None removes one)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def sort_header(context, field: str, label: str) -> str:
    """A column heading that sorts the list by `field`; says how it is sorted now."""
    current = context.get("ordering", "")
    if current == field:
        next_ordering, state, hint = f"-{field}", "ascending", _("sorted ascending")
    elif current == f"-{field}":
        next_ordering, state, hint = field, "descending", _("sorted descending")
    else:
        next_ordering, state, hint = field, None, ""
    href = query(context, ordering=next_ordering, page=None)
    marker = {"ascending": " ▲", "descending": " ▼"}.get(state, "")
    return format_html(
        '<a href="{}">{}<span aria-hidden="true">{}</span>{}</a>',
        href,
        label,
        marker,
        format_html('<span class="visually-hidden"> ({})</span>', hint) if hint else "",
    )


@register.simple_tag(takes_context=True)
def aria_sort(context, field: str) -> str:
    current = context.get("ordering", "")
    if current == field:
        return "ascending"
    if current == f"-{field}":
        return "descending"
    return "none"


@register.inclusion_tag("includes/bar_chart.html")
def bar_chart(rows, value_key: str, title: str, formatter: str = "fte", label_key: str = "label"):
    """A horizontal bar chart (inline SVG) of `rows`; the table beside it is the accessible source."""
    values = [(row[label_key] or "—", Decimal(str(row[value_key] or 0))) for row in rows]
    largest = max((value for _, value in values), default=Decimal(0)) or Decimal(1)
    format_value = {"money": money, "count": lambda v: number_format(v, decimal_pos=0, use_l10n=True)}.get(formatter, fte)
    # Sized for the report's narrow column so the text is not scaled below ~13 px.
    bar_height, gap, label_width, chart_width = 22, 8, 150, 170
    bars = [
        {
            "label": label if len(label) <= 20 else label[:19] + "…",
            "y": index * (bar_height + gap),
            "text_y": index * (bar_height + gap) + round(bar_height * 0.7),
            "width": float(value / largest * chart_width) if value > 0 else 0,
            "value": format_value(value),
        }
        for index, (label, value) in enumerate(values)
    ]
    return {
        "title": title,
        "bars": bars,
        "bar_height": bar_height,
        "label_width": label_width,
        "value_x": label_width + chart_width + 6,
        "width": label_width + chart_width + 100,
        "height": max(len(bars) * (bar_height + gap), bar_height),
    }


@register.simple_tag
def field_widget(bound_field):
    """The field's widget, tied to its hint and error by aria-describedby, marked invalid on error."""
    described_by = []
    if bound_field.help_text:
        described_by.append(f"{bound_field.auto_id}-hint")
    if bound_field.errors:
        described_by.append(f"{bound_field.auto_id}-error")
    attrs = {}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    if bound_field.errors:
        attrs["aria-invalid"] = "true"
    return bound_field.as_widget(attrs=attrs)
