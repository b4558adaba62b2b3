"""Scrutiny dashboards and home pages: read-only for everyone. Every table can be downloaded as CSV or
XLSX from the page that shows it (``?export=csv|xlsx&table=<name>``)."""

import datetime

from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render

from dashboards import dashboard, pages
from dashboards.exports import export_response, wants_export
from dashboards.measure_page import measure_context
from dashboards.models import Paper
from dashboards.paper import build_paper, paper_request
from measures.models import Measure
from partnerships.permissions import get_partnership_for_user
from strategies.models import Priority


def export_or_render(request, template, context, title):
    """A dashboard page, or one of its tables as CSV/XLSX when ?export=csv|xlsx&table=... asks."""
    wanted = wants_export(request)
    if wanted:
        fmt, table = wanted
        if table not in context["tables"]:
            raise Http404("No such table on this page.")
        columns, rows = context["tables"][table]
        quarter = context["filters"].quarter
        label = f"{title} {table} {quarter.label if quarter else ''}"
        return export_response(rows(), columns, fmt, label)
    return render(request, template, context)


def home(request):
    """A home page that fits the role: officers see their plan, admins their to-do list, scrutiny
    members (and everyone else) the county overview."""
    user = request.user
    if user.is_admin:
        return render(request, "dashboards/home_admin.html", pages.admin_todo())
    if not user.is_scrutiny_member and user.membership_roles:
        return render(request, "dashboards/home_officer.html", pages.officer_home_context(user))
    return overview(request)


def overview(request):
    context = pages.overview_context(dashboard.read_filters(request))
    return export_or_render(request, "dashboards/overview.html", context, "County overview")


def figures(request):
    context = pages.figures_context(dashboard.read_filters(request))
    return export_or_render(request, "dashboards/figures.html", context, "Every measure's figures")


def priority_detail(request, pk):
    # One priority: its themes are read once by the page, so prefetching them would save nothing.
    priority = get_object_or_404(Priority.objects.select_related("framework"), pk=pk)
    context = pages.priority_context(priority, dashboard.read_filters(request))
    return export_or_render(
        request, "dashboards/priority_detail.html", context, f"Priority {priority.number}"
    )


def paper(request):
    """The committee paper for a quarter: a printable page, or a PDF with ?format=pdf (typeset once per
    version of its data; a large paper is typeset by the worker while a progress bar shows)."""
    filters = dashboard.read_filters(request, paginate=False)
    if request.GET.get("format") != "pdf":
        return render(request, "dashboards/paper.html", build_paper(filters))
    paper_file = paper_request(filters=filters, user=request.user, base_url=request.build_absolute_uri("/"))
    if paper_file.status == Paper.Status.READY:
        return paper_download(request, paper_file.pk)
    return redirect(paper_file)


def paper_status(request, pk):
    """A paper being typeset by the worker: its progress, then its download."""
    paper_file = get_object_or_404(Paper, pk=pk)
    if request.headers.get("Accept") == "application/json":
        return JsonResponse(
            {
                "status": paper_file.status,
                "status_label": paper_file.get_status_display(),
                "progress": paper_file.progress,
                "note": paper_file.note,
                "running": paper_file.is_running,
            }
        )
    return render(request, "dashboards/paper_status.html", {"paper": paper_file})


def paper_download(request, pk):
    paper_file = get_object_or_404(Paper, pk=pk, status=Paper.Status.READY)
    return FileResponse(
        paper_file.file.open("rb"),
        as_attachment=True,
        filename=paper_file.file_name,
        content_type="application/pdf",
    )


def horizon(request):
    """The horizon-scanning register: strategies, laws, guidance and tools ahead for community safety."""
    return export_or_render(
        request, "dashboards/horizon.html", pages.horizon_context(request.user), "Horizon scanning"
    )


def how_we_judge(request):
    """The method behind every judgement, in plain English, with the icons' legend."""
    return render(request, "dashboards/how_we_judge.html", pages.how_we_judge_context())


def partnership_list(request):
    context = {**pages.partnership_list_context(datetime.date.today()), "can_merge": request.user.is_admin}
    return render(request, "dashboards/partnership_list.html", context)


def partnership_detail(request, slug):
    partnership = get_partnership_for_user(request.user, slug)
    filters = dashboard.read_filters(request, partnership=partnership)
    context = pages.partnership_context(partnership, filters, request.user)
    return export_or_render(request, "dashboards/partnership_detail.html", context, partnership.label)


def measure_list(request):
    measures = Measure.objects.for_list().order_by("order", "name")
    return render(request, "dashboards/measure_list.html", {"measures": measures})


def measure_detail(request, slug):
    """One measure: every partnership's series, with its baseline, target and process limits drawn."""
    measure = get_object_or_404(Measure.objects.prefetch_related("components", "breaks"), slug=slug)
    context = measure_context(measure, dashboard.read_filters(request), request.user)
    return export_or_render(request, "dashboards/measure_detail.html", context, measure.name)
