"""The one rule for text a spreadsheet would run as a formula.

Excel, LibreOffice and Google Sheets treat a cell that starts with =, +, - or @ as a formula, and
a leading tab or carriage return can hide one (OWASP, "CSV injection"). Everything we write out
(dashboard downloads, the import template) escapes such text with ``escape_formula``; the importer
refuses such text in the cells it reads (``measures.importing.validate``), except where the cell
reads as a number ("-5", "+5"): that exception is the importer's, not part of this rule.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text) -> bool:
    """True when ``text`` is a string a spreadsheet would run: it starts with one of FORMULA_STARTS."""
    return isinstance(text, str) and text.startswith(FORMULA_STARTS)


def escape_formula(value):
    """Formula-like text with a leading apostrophe, so it shows as text; anything else as it is."""
    if looks_like_formula(value):
        return "'" + value
    return value
