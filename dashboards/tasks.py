"""Background work for the dashboards, run by `manage.py db_worker` (django-tasks' database backend)."""

from django.http import QueryDict
from django_tasks import task

from dashboards import dashboard
from dashboards.models import Paper
from dashboards.paper import paper_build


class _Query:
    """Just enough of a request for ``read_filters``: the query string the paper was asked with."""

    def __init__(self, query: str):
        self.GET = QueryDict(query)


@task()
def build_paper(paper_id: int, base_url: str) -> None:
    paper = Paper.objects.get(pk=paper_id)
    filters = dashboard.read_filters(_Query(paper.query), paginate=False)
    paper_build(paper=paper, filters=filters, base_url=base_url)
