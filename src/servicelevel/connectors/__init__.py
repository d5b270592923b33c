"""Connectors: pull tickets from other systems over HTTP (ServiceNow, Jira, RT, any JSON API).

This layer does HTTP only: no database, no services. Services call a connector's
:class:`~servicelevel.connectors.base.Source` and store what it yields.
"""
