"""The registry: components, versions, dependencies, over a pluggable store."""
