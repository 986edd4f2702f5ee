"""Component ids, in one place so that a page, its callbacks and the browser tests cannot drift.

Each page has its own section; a page's ids start with the page's name."""

# Shell (app/layout.py)
NAVBAR = "navbar"
PAGE_CONTENT = "page-content"
NAV_SEARCH = "nav-search"
MAIN = "main-content"  # the one <main> of every page, target of the skip link
SKIP_LINK = "skip-link"

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


def list_empty(kind: str) -> str:
    """Where a list page says why it shows nothing (filters, or nothing registered)."""
    return f"{kind}-list-empty"


# A component's page, shared parts (app/components/component_page.py)
COMPONENT_STORE = "component-store"  # {"kind", "id", "version"} of the page's component
COMPONENT_TITLE = "component-title"
COMPONENT_VERSIONS = "component-versions"
COMPONENT_OLD_VERSION = "component-old-version"
HISTORY_TABLE = "history-table"
DIFF_FROM = "diff-from"
DIFF_TO = "diff-to"
DIFF_RESULT = "diff-result"
GRAPH = "dependency-graph"
GRAPH_LEGEND = "dependency-graph-legend"
GRAPH_FOCUS = "dependency-graph-focus"  # the component whose neighbourhood is shown
GRAPH_SHOW_ALL = "dependency-graph-show-all"
GRAPH_FOCUS_NOTE = "dependency-graph-focus-note"
GRAPH_OPEN = "dependency-graph-open"  # the focused component's page
WHERE_USED = "where-used"
CONFIG_JSON = "config-json"

# Dimensions (app/pages/dimension.py)
DIMENSION_RECORDS = "dimension-records-grid"
DIMENSION_FACTS = "dimension-facts"


# Projects (app/pages/projects.py, app/pages/project.py)
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
DATASET_PREVIEW_UNITS = "dataset-preview-units"  # which unit each row's value is in
DATASET_PROFILE_BY = "dataset-profile-by"
DATASET_PROFILE_RESOLUTION = "dataset-profile-resolution"
DATASET_PROFILE_GRAPH = "dataset-profile-graph"
DATASET_PROFILE_NOTE = "dataset-profile-note"  # why no chart is shown, or what it shows
DATASET_PROFILE_UNITS = "dataset-profile-units"  # under the chart: the units, what converted


def dataset_profile_records(dimension_type: str) -> str:
    """The load-profile record picker of one dimension type (geography, subsector, metric)."""
    return f"dataset-profile-records-{dimension_type}"


def dataset_fact(name: str) -> str:
    """One value cell of the dataset facts table (rows, size, time_range)."""
    return f"{DATASET_FACTS}-{name}"


# Mappings (app/pages/mappings.py, app/pages/mapping.py)
MAPPING_FACTS = "mapping-facts"
MAPPING_FROM = "mapping-from"  # the link to the from dimension
MAPPING_TO = "mapping-to"  # the link to the to dimension
MAPPING_TYPE = "mapping-type"  # the mapping type and what it means
MAPPING_RECORDS = "mapping-records-grid"
MAPPING_VIEW = "mapping-view"  # tabs: flows (Sankey) or matrix, for a large mapping
MAPPING_VIEW_CONTENT = "mapping-view-content"
MAPPING_SANKEY = "mapping-sankey"
MAPPING_SANKEY_NOTE = "mapping-sankey-note"
MAPPING_MATRIX = "mapping-matrix"
MAPPING_MATRIX_NOTE = "mapping-matrix-note"
MAPPING_CHECK = "mapping-check"
MAPPING_CHECK_RULE = "mapping-check-rule"
MAPPING_CHECK_SUMMARY = "mapping-check-summary"
MAPPING_CHECK_TABLE = "mapping-check-table"


# Home page, search (app/pages/home.py)
HOME_SEARCH_URL = "home-search-url"  # a dcc.Store: the clientside callback that keeps ?q= writes it
HOME_SEARCH_COMPONENTS = "home-search-components"
HOME_SEARCH_RECORDS = "home-search-records"
HOME_SEARCH_EMPTY = "home-search-empty"


def home_search_link(what: str) -> str:
    """A link of the search's hits: csv, json (NDJSON) or api."""
    return f"home-search-link-{what}"


# Registration wizards (app/pages/register*.py)
# Wizard names: landing (the /register page), dimension, mapping, dataset, project, submission.
# Parts every wizard has: files, uploaded-<upload field>, pending-<upload field>, check, job,
# outcome, upload-limit (dcc.Stores); permission, token-group, token, sign-in, sign-in-result;
# register, cancel, reload, cancelled, log-message; progress, interval, result, result-alert,
# result-link, general-problems; download-config, download-command, config-download,
# command-download; preview-config (the JSON5 that will be registered).


def wizard_id(wizard: str, part: str) -> str:
    """One part of a registration wizard (see the list above)."""
    return f"register-{wizard}-{part}"


def wizard_field(wizard: str, field: str) -> str:
    """The control of a wizard's field (an input, a dropdown or a dcc.Upload)."""
    return f"register-{wizard}-field-{field}"


def wizard_problem(wizard: str, field: str) -> str:
    """The problems shown under a wizard's field."""
    return f"register-{wizard}-problem-{field}"


def wizard_reason(wizard: str, field: str) -> str:
    """Why a wizard's field holds the value it guessed."""
    return f"register-{wizard}-reason-{field}"


def wizard_files(wizard: str, field: str) -> str:
    """The list of files uploaded through an upload field."""
    return f"register-{wizard}-files-{field}"


def wizard_link(wizard: str) -> str:
    """The link to a wizard on the /register landing page."""
    return f"register-landing-link-{wizard}"


MAPPING_GRID = wizard_id("mapping", "grid")  # the editable mapping rows
DIMENSION_PREVIEW = wizard_id("dimension", "preview-grid")  # the records to be registered
DATASET_GUESS = wizard_id("dataset", "guess-view")  # the guessed layout and dimensions
DATASET_QUESTIONS = wizard_id("dataset", "questions")
PROJECT_SUMMARY = wizard_id("project", "summary")
SUBMISSION_SECTIONS = wizard_id("submission", "sections")


# Query builder (app/pages/query.py)
QUERY_LOCATION = "query-location"  # the builder's state in the query string (refresh=False)
QUERY_REDIRECT = "query-redirect"  # soft navigation back to the last run's address
QUERY_INITIAL = "query-initial"  # dcc.Store: the state the page was opened with
QUERY_JOB = "query-job"  # dcc.Store (session): {job, search} of the last run in this tab
QUERY_RESULT = "query-result"  # dcc.Store: the finished job shown (id, rows, columns)
QUERY_INTERVAL = "query-interval"  # polls a running job
QUERY_PROJECT = "query-project"
QUERY_DATASETS = "query-datasets"
QUERY_TIME = "query-time"  # time resolution: none, hour, day, week, month, year
QUERY_TIME_ZONE = "query-time-zone"
QUERY_UNIT = "query-unit"
QUERY_FUNCTION = "query-function"  # aggregation function: sum, mean, ...
QUERY_NAMES = "query-names"  # replace record ids with names
QUERY_RUN = "query-run"
QUERY_CANCEL = "query-cancel"
QUERY_RUN_ERROR = "query-run-error"  # why a query could not start (text from dsgrid_core)
QUERY_STATUS = "query-status"  # the job's status line (and its error when it failed)
QUERY_PROGRESS = "query-progress"
QUERY_RESULTS = "query-results"  # the results section (hidden until a result exists)
QUERY_ROW_COUNT = "query-row-count"
QUERY_GRID = "query-grid"
QUERY_CHART_TYPE = "query-chart-type"  # radio items: the charts that fit the result
QUERY_CHART = "query-chart"  # the dcc.Graph
QUERY_CHART_NOTE = "query-chart-note"  # why no chart, or what the chart shows
QUERY_EXPORT_MESSAGE = "query-export-message"  # e.g. CSV refused above the row cap
QUERY_PNG_WIDTH = "query-png-width"
QUERY_PNG_HEIGHT = "query-png-height"
QUERY_PNG_UNAVAILABLE = "query-png-unavailable"  # why there is no server-side PNG
QUERY_TEXT_FORMAT = "query-text-format"  # json5, command or python
QUERY_TEXT = "query-text"  # the textarea with the query as JSON5 / command / Python
QUERY_ACTIVE = "query-active"  # dcc.Store (memory): {job, search} of the run this view shows
QUERY_RESTORE = "query-restore"  # button: show the tab's last run (/query starts empty)
QUERY_UNIT_NOTE = "query-unit-note"  # which unit the values are in, and why
QUERY_SUMMARY = "query-summary"  # what the result sums over (alternatives said in words)


def query_group_by(dimension_type: str) -> str:
    """The group-by dropdown of one dimension type (none, base or a supplemental dimension)."""
    return f"query-group-by-{dimension_type}"


def query_filter_dimension(dimension_type: str) -> str:
    """The dimension whose records a filter of one dimension type picks."""
    return f"query-filter-dimension-{dimension_type}"


def query_filter_records(dimension_type: str) -> str:
    """The record picker of a filter (multi dropdown with search; names as labels)."""
    return f"query-filter-records-{dimension_type}"


def query_subsets(dimension_type: str) -> str:
    """The subset selectors of one dimension type (only types with subset dimensions)."""
    return f"query-subsets-{dimension_type}"


def query_export(kind: str) -> str:
    """An export button: csv, parquet, png, svg, html, text (the query text shown)."""
    return f"query-export-{kind}"


def query_download(kind: str) -> str:
    """The dcc.Download of an export (csv, parquet, png, html, text)."""
    return f"query-download-{kind}"


# Scenario comparison (app/pages/compare.py)
COMPARE_LOCATION = "compare-location"  # the comparison in the query string (refresh=False)
COMPARE_INITIAL = "compare-initial"  # dcc.Store: the comparison the page was opened with
COMPARE_JOB = "compare-job"  # dcc.Store: {job, search, time_zone, names} of the run shown
COMPARE_INTERVAL = "compare-interval"  # polls a running comparison
COMPARE_PROJECT = "compare-project"
COMPARE_DIMENSION = "compare-dimension"  # scenario, model_year, weather_year, dataset...
COMPARE_DATASET = "compare-dataset"  # dataset_version: the dataset whose versions are compared
COMPARE_DATASET_BOX = "compare-dataset-box"  # its label and dropdown, shown for versions only
COMPARE_BASE = "compare-base"
COMPARE_OTHER = "compare-other"
COMPARE_GEOGRAPHY = "compare-geography"  # the geography dimension the map and peaks are per
COMPARE_UNIT = "compare-unit"
COMPARE_END_USES = "compare-end-uses"  # optional: only these metric records (all when empty)
COMPARE_RUN = "compare-run"
COMPARE_ERROR = "compare-error"  # why the comparison could not run (text from dsgrid_core)
COMPARE_STATUS = "compare-status"
COMPARE_RESULTS = "compare-results"  # hidden until a result exists
COMPARE_SUMMARY = "compare-summary"  # what is compared, held and summed, in words
COMPARE_MAP = "compare-map"
COMPARE_MAP_NOTE = "compare-map-note"  # why there is no map
COMPARE_DURATION = "compare-duration"
COMPARE_PEAKS = "compare-peaks"  # the peak table
COMPARE_EXPORT_CSV = "compare-export-csv"
COMPARE_EXPORT_PARQUET = "compare-export-parquet"
COMPARE_DOWNLOAD = "compare-download"


def compare_hold(dimension_type: str) -> str:
    """The picker holding a scenario, model or weather year that is not compared at one
    record."""
    return f"compare-hold-{dimension_type}"


def compare_peak_cell(row: int, column: str) -> str:
    """One cell of the peak table (row 0: all geographies together)."""
    return f"compare-peak-{row}-{column}"


# Downloads and API links of a grid, its state in the page URL, list facets
# (app/components/downloads.py)


def grid_query(grid_id: str) -> str:
    """A dcc.Store of a grid's API path and query (its filters and sort, and a list's filters)."""
    return f"{grid_id}-query"


def grid_link(grid_id: str, what: str) -> str:
    """A link of a grid: csv, json (NDJSON) or api (the same rows as JSON pages)."""
    return f"{grid_id}-link-{what}"


def grid_page(grid_id: str) -> str:
    """A dcc.Store of the grid page a page URL asked for (until the grid has gone there)."""
    return f"{grid_id}-page"


def list_facets(kind: str) -> str:
    """The facet counts of a list page (type, project), each a link that filters the list."""
    return f"{kind}-list-facets"
