"""Component ids, in one place so that a page, its callbacks and the browser tests cannot drift.

Each page has its own section; a page's ids start with the page's name."""

# Shell (app/layout.py)
NAVBAR = "navbar"
PAGE_CONTENT = "page-content"
NAV_SEARCH = "nav-search"

# Home page (app/pages/home.py)
HOME_TITLE = "home-title"
HOME_REGISTRY_PATH = "home-registry-path"
HOME_COUNTS = "home-counts"
HOME_EMPTY = "home-empty"
HOME_ERROR = "home-error"
HOME_LATEST = "home-latest"
HOME_STORAGE = "home-storage"
HOME_SEARCH = "home-search"
HOME_SEARCH_RESULTS = "home-search-results"


def home_count_row(kind: str) -> str:
    """The row of the home counts table for one component kind."""
    return f"{HOME_COUNTS}-{kind}"


# Shared by every page (app/components/*)
PAGE_ERROR = "page-error"  # the alert a page shows when it cannot show what was asked
PAGE_EMPTY = "page-empty"  # the note a page shows when there is nothing to show


def list_grid(kind: str) -> str:
    """The grid of a component list page (kind: projects, datasets, dimensions, mappings)."""
    return f"{kind}-list-grid"


def list_filter(kind: str, name: str) -> str:
    """A filter control of a list page (name: text, type, project)."""
    return f"{kind}-list-filter-{name}"


def list_location(kind: str) -> str:
    """The dcc.Location a list page keeps its filters in (the query string)."""
    return f"{kind}-list-location"


def list_count(kind: str) -> str:
    return f"{kind}-list-count"


# A component's page, shared parts (app/components/component_page.py)
COMPONENT_STORE = "component-store"  # {"kind", "id", "version"} of the page's component
COMPONENT_TITLE = "component-title"
COMPONENT_VERSIONS = "component-versions"
COMPONENT_OLD_VERSION = "component-old-version"
COMPONENT_NAVIGATE = "component-navigate"  # a dcc.Location that graph clicks move
HISTORY_TABLE = "history-table"
DIFF_FROM = "diff-from"
DIFF_TO = "diff-to"
DIFF_RESULT = "diff-result"
GRAPH = "dependency-graph"
WHERE_USED = "where-used"
CONFIG_JSON = "config-json"

# Dimensions (app/pages/dimension.py)
DIMENSION_RECORDS = "dimension-records-grid"
DIMENSION_FACTS = "dimension-facts"
