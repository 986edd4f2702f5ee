"""Pieces every page uses: links to components, error and empty states, headers."""
