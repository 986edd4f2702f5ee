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


# Projects (app/pages/projects.py, app/pages/project.py)
PROJECTS_LIST_EMPTY = "projects-list-empty"  # holds the empty state when the list is empty
PROJECT_LOCATION = "project-location"  # the query string: coverage dataset and axes
PROJECT_STATUS = "project-status"
PROJECT_BASE_DIMENSIONS = "project-base-dimensions"
PROJECT_SUPPLEMENTAL_DIMENSIONS = "project-supplemental-dimensions"
PROJECT_SUBSET_DIMENSIONS = "project-subset-dimensions"
PROJECT_DATASETS = "project-datasets"
PROJECT_COVERAGE_DATASET = "project-coverage-dataset"
PROJECT_COVERAGE_X = "project-coverage-x"
PROJECT_COVERAGE_Y = "project-coverage-y"
PROJECT_COVERAGE_GRAPH = "project-coverage-graph"
PROJECT_COVERAGE_COUNTS = "project-coverage-counts"
PROJECT_COVERAGE_EMPTY = "project-coverage-empty"  # no dataset submitted yet


def project_dataset_row(dataset_id: str) -> str:
    """The row of the project's expected-datasets table for one dataset."""
    return f"{PROJECT_DATASETS}-row-{dataset_id}"


def project_base_row(dimension_type: str) -> str:
    """The row of the project's base-dimensions table for one dimension type."""
    return f"{PROJECT_BASE_DIMENSIONS}-row-{dimension_type}"


def coverage_count(counts_id: str, status: str) -> str:
    """The count of one status (present, declared_missing, ...) under a coverage heatmap."""
    return f"{counts_id}-{status}"


# Datasets (app/pages/datasets.py, app/pages/dataset.py)
DATASETS_LIST_EMPTY = "datasets-list-empty"  # holds the empty state when the list is empty
DATASET_LOCATION = "dataset-location"  # the query string: coverage axes and profile choices
DATASET_METADATA = "dataset-metadata"
DATASET_LAYOUT = "dataset-layout"
DATASET_DIMENSIONS = "dataset-dimensions"
DATASET_FACTS = "dataset-facts"  # rows, size on disk, time range
DATASET_COVERAGE_X = "dataset-coverage-x"
DATASET_COVERAGE_Y = "dataset-coverage-y"
DATASET_COVERAGE_GRAPH = "dataset-coverage-graph"
DATASET_COVERAGE_COUNTS = "dataset-coverage-counts"
DATASET_PREVIEW = "dataset-preview-grid"
DATASET_PROFILE_BY = "dataset-profile-by"
DATASET_PROFILE_RESOLUTION = "dataset-profile-resolution"
DATASET_PROFILE_GRAPH = "dataset-profile-graph"
DATASET_PROFILE_NOTE = "dataset-profile-note"  # why no chart is shown, or what it shows


def dataset_profile_records(dimension_type: str) -> str:
    """The load-profile record picker of one dimension type (geography, subsector, metric)."""
    return f"dataset-profile-records-{dimension_type}"


def dataset_fact(name: str) -> str:
    """One value cell of the dataset facts table (rows, size, time_range)."""
    return f"{DATASET_FACTS}-{name}"
