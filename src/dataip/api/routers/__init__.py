"""API routers, one module per topic."""
