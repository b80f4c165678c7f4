"""The command-line face: ``cchc`` (see ``main``)."""
