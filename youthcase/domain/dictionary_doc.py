"""Render docs/data-dictionary.md from the data dictionary, so the document cannot drift.

Regenerate with ``python -m youthcase.domain.dictionary_doc > docs/data-dictionary.md``; a test
fails when the committed file differs.
"""

from __future__ import annotations

from youthcase.domain.dictionary import ENTITIES, MAX_AGE, MIN_AGE, EntitySpec


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def _entity(entity: EntitySpec) -> list[str]:
    lines = [
        f"## {entity.label} (`{entity.name}`)",
        "",
        entity.description,
        "",
        "| field | label | type | required | sensitivity | values |",
        "|---|---|---|---|---|---|",
    ]
    for spec in entity.fields:
        values = spec.describe_values()
        if spec.help:
            values = f"{values}. {spec.help}"
        lines.append(
            f"| `{spec.name}` | {_escape(spec.label)} | {spec.kind.value} | "
            f"{'yes' if spec.required else ''} | {spec.sensitivity.value} | {_escape(values)} |"
        )
    return [*lines, ""]


def render() -> str:
    lines = [
        "# Data dictionary",
        "",
        "Generated from `youthcase/domain/dictionary.py` by `python -m youthcase.domain.dictionary_doc`;",
        "do not edit by hand. Forms, the CSV import and validation use the same definitions.",
        "",
        "Rules across fields: dates and times cannot be in the future (five minutes' slack for a",
        "laptop clock) nor before the date of birth; the assault cannot be after the arrival;",
        f"the young person is {MIN_AGE}-{MAX_AGE} at arrival. Date-times without an offset are London",
        "time. Lists of codes are separated by `;`. Imports accept a code or its label.",
        "Identifying and free-text fields are encrypted (docs/security.md).",
        "",
    ]
    for entity in ENTITIES:
        lines.extend(_entity(entity))
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(), end="")
