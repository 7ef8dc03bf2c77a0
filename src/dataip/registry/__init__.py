"""The registry's domain core (登记核心): holders, data products, applications, the workflow.

Renders no HTML and no JSON. ``services`` is the only door to a state change; ``queries`` is
the read side with access checks; ``workflow`` is the state machine.
"""
