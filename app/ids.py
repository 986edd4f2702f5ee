"""Component ids, in one place so that a page, its callbacks and the browser tests cannot drift."""

# Shell (app/__init__.py)
NAVBAR = "navbar"
PAGE_CONTENT = "page-content"

# Home page (app/pages/home.py)
HOME_TITLE = "home-title"
HOME_REGISTRY_PATH = "home-registry-path"
HOME_COUNTS = "home-counts"
HOME_EMPTY = "home-empty"
HOME_ERROR = "home-error"


def home_count_row(kind: str) -> str:
    """The row of the home counts table for one component kind."""
    return f"{HOME_COUNTS}-{kind}"
