"""The mid-year review: sections built from engine results, rendered as HTML (and terminal tables)."""

from gosplan.review.document import Review, ReviewContext, Section, build_review, section
from gosplan.review.render import render_html, write_html

__all__ = ["Review", "ReviewContext", "Section", "build_review", "render_html", "section", "write_html"]
