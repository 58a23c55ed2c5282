"""youthcase: an encrypted caseload system for hospital-based youth workers.

The package is layered: ``domain``, ``crypto``, ``storage``, ``services`` and ``cli`` form the core
and never import Qt; ``gui`` is the Qt layer on top of the services.
"""

__version__ = "0.1.0"
