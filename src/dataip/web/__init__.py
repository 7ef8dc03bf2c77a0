"""Server-rendered pages (网页): thin views over ``registry.services`` and ``registry.queries``."""
