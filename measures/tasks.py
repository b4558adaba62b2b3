"""Background work for large imports, run by `manage.py db_worker` (django-tasks' database backend)."""

from django_tasks import task

from measures.models import ImportBatch
from measures.services import import_batch_apply, import_batch_preview


@task()
def preview_import(batch_id: int) -> None:
    import_batch_preview(batch=ImportBatch.objects.get(pk=batch_id), report_progress=True)


@task()
def apply_import(batch_id: int, confirmed: bool = False) -> None:
    import_batch_apply(batch=ImportBatch.objects.get(pk=batch_id), report_progress=True, confirmed=confirmed)
