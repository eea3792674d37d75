"""Django settings: ``base`` (shared, secure defaults), ``production`` and ``test``.

Every value comes from an environment variable; ``docs/practice-app.md`` lists them.
"""
