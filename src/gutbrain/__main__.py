"""``python -m gutbrain`` runs the command line."""

from gutbrain.cli.main import run

run()
