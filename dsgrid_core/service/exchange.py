"""Projects moving between this tool and dsgrid-toolkit: a project exported as a folder the
reference registers unchanged, and a reference registry imported whole."""

from dsgrid_core.registry.reference_export import export_project
from dsgrid_core.registry.reference_import import import_reference

__all__ = ["export_project", "import_reference"]
