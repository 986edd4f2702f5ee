"""Pydantic models for every dsgrid JSON5 file, and their loaders.

The models are the one source of truth for the formats: the registry, the web forms and the
generated config reference all read them.
"""
