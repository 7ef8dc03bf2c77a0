"""The service layer: the only door to a state change (登记服务).

Each function takes a keyword-only ``actor`` (a :class:`~dataip.registry.workflow.Actor`),
runs in one transaction, checks the workflow, changes state and records the event.
Web views, the API, the CLI, the demo and the tests all call these same functions.
"""
