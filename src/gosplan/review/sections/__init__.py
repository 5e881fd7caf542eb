"""Review sections. Each module registers its builders with ``gosplan.review.document.section``;
every module in this package is imported when a review is built."""
