"""Service level requirements (SLM2): captured from customers, analysed against the catalog,
change requests when they exceed it, and what-if evidence for negotiation."""
