"""The practice web app: a Django project serving practitioners and their clients.

Layer 6 (see ``docs/ARCHITECTURE.md``): it may import every lower layer; views stay thin and
call :mod:`gutbrain.pipeline`. Settings live in :mod:`gutbrain.web.settings` and are read from
environment variables (``docs/practice-app.md``).
"""
