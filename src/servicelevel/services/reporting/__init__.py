"""Service reports: the figures of an agreement's period assembled in one place (one model every
rendering reads; the renderings are in :mod:`servicelevel.reports`), charts, trends, snapshots
and schedules."""
