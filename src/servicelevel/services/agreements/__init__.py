"""Agreements (SLM3): SLAs, OLAs and UCs written, negotiated, signed and underpinned, version by
version; their files, documents, forms and diffs."""
