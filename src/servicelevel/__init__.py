"""servicelevel — Service Level Management (服务级别管理) for IT service providers."""

__version__ = "0.1.0"
