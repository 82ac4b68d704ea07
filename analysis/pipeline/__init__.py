"""The published build: execution with papermill, the cache, generated pages, the Sphinx extension."""
