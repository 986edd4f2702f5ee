"""Project and dataset queries: one plan, built as a SQL syntax tree, run on any engine."""
