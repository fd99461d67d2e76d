"""hpa, the health-app privacy analyzer: find the health data and identifiers apps send, and to whom."""

__version__ = "0.1.0"
