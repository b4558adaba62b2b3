"""The formula rule's old address: it lives in ``partnerships.formulas`` (the lowest layer), so the audit
trail's export in the partnerships admin uses the same rule as every dashboard download and the importer."""

from partnerships.formulas import FORMULA_STARTS, escape_formula, looks_like_formula

__all__ = ["FORMULA_STARTS", "escape_formula", "looks_like_formula"]
