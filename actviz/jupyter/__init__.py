"""What makes the notebook API (:mod:`actviz.notebook`) behave like a library in Jupyter:
arguments checked in the API's own words, progress bars, and HTML tables."""
