"""The knowledge base: pydantic models of every record and a read-only TinyDB loader.

Kept import-free so that `magtui.knowledge.models` can be used without loading TinyDB.
"""
