"""The PDF fonts: DejaVu Sans, shipped in resources/fonts, so every name prints (Nguyễn, Zoë, Ólafsson)
on every platform. reportlab's built-in fonts cover Latin-1 only."""

from __future__ import annotations

from functools import cache

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from youthcase.resources import resource_path

REGULAR = "YouthcaseSans"
BOLD = "YouthcaseSans-Bold"


@cache
def register_fonts() -> None:
    pdfmetrics.registerFont(TTFont(REGULAR, str(resource_path("fonts/DejaVuSans.ttf"))))
    pdfmetrics.registerFont(TTFont(BOLD, str(resource_path("fonts/DejaVuSans-Bold.ttf"))))
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, REGULAR)
    addMapping(REGULAR, 1, 1, BOLD)
