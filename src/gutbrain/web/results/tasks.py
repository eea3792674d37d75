"""Background tasks of the results app (django-tasks; the worker is ``gutbrain_worker``)."""

from __future__ import annotations

from django_tasks import task

__all__ = ["analyse_upload"]


@task()
def analyse_upload(upload_id: str) -> str:
    """Analyse one uploaded stool-test file (see :func:`services.analyse`)."""
    from gutbrain.web.results.services import analyse

    return analyse(upload_id)
