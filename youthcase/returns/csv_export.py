"""The return as a tidy CSV: one figure per row, the same published values as the PDF.

Columns: section, measure, breakdown, site, month, unit, value. ``unit`` is count, percent,
median days or hours; ``value`` is the published value (``*`` when withheld, empty when there was
nothing to measure). A few ``About`` rows at the top carry the period, the sites, the date
produced, the audit-chain head and the disclosure rule. Every cell is formula-safe: one that would
start with ``= + - @`` (or a tab or carriage return) is prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io

from youthcase.domain.validation import FORMULA_PREFIXES
from youthcase.returns.disclosure import NOT_APPLICABLE, Published
from youthcase.returns.monthly_return import PERCENT, MonthlyReturn

HEADER = ("section", "measure", "breakdown", "site", "month", "unit", "value")
_UNSAFE_STARTS = (*FORMULA_PREFIXES, "\t", "\r")


def formula_safe(cell: str) -> str:
    """Neutralise a cell a spreadsheet would run as a formula."""
    return "'" + cell if cell.startswith(_UNSAFE_STARTS) else cell


def _value(published: Published, unit: str) -> str:
    if published.text == NOT_APPLICABLE:
        return ""
    if unit == PERCENT and published.number is not None:
        return published.text.removesuffix("%")
    return published.text


def render_csv(model: MonthlyReturn) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    month = model.month.key
    site = model.overall.code
    about = (
        ("Period", model.period),
        ("Sites", "; ".join(f"{c.code} {c.name}" for c in model.sites)),
        ("Produced on", model.produced_at.date().isoformat()),
        ("Audit chain head", model.chain_head),
        ("Return id", str(model.return_id)),
        (
            "Disclosure rule",
            f"1-{model.rule.max_suppressed} shown as *; rounded to the nearest {model.rule.rounding_base}",
        ),
    )
    for measure, text in about:
        writer.writerow([formula_safe(cell) for cell in ("About", measure, "", site, month, "text", text)])
    for line in model.lines():
        for column in model.columns:
            for trend_month in model.window.months:
                published = line.values.get((column.code, trend_month.key))
                if published is None:
                    continue
                row = (
                    line.section,
                    line.measure,
                    line.breakdown,
                    column.code,
                    trend_month.key,
                    line.unit,
                    _value(published, line.unit),
                )
                writer.writerow([formula_safe(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")
