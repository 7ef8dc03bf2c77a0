"""API request and response schemas, one module per topic."""
