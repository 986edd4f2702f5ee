"""Pages of the viewer, each registered with `dash.register_page` and found by Dash itself."""
