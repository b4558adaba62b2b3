"""Scrutiny dashboards and home pages: read-only for everyone. Every table can be downloaded as CSV or
XLSX from the page that shows it (``?export=csv|xlsx&table=<name>``)."""

import datetime

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string

from dashboards import dashboard, pages
from dashboards.exports import export_response, wants_export
from dashboards.measure_page import measure_context
from dashboards.paper import build_paper, paper_pdf
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


def priority_detail(request, pk):
    # One priority: its themes are read once by the page, so prefetching them would save nothing.
    priority = get_object_or_404(Priority.objects.select_related("framework"), pk=pk)
    context = pages.priority_context(priority, dashboard.read_filters(request))
    return export_or_render(
        request, "dashboards/priority_detail.html", context, f"Priority {priority.number}"
    )


def paper(request):
    """The committee paper for a quarter: a printable page, or a PDF with ?format=pdf."""
    filters = dashboard.read_filters(request, paginate=False)
    context = build_paper(filters)
    if request.GET.get("format") != "pdf":
        return render(request, "dashboards/paper.html", context)
    html = render_to_string("dashboards/paper.html", {**context, "pdf": True}, request=request)
    response = HttpResponse(
        paper_pdf(html, base_url=request.build_absolute_uri("/")), content_type="application/pdf"
    )
    label = filters.quarter.slug if filters.quarter else "latest"
    response["Content-Disposition"] = f'attachment; filename="community-safety-paper-{label}.pdf"'
    return response


def horizon(request):
    """The horizon-scanning register: strategies, laws, guidance and tools ahead for community safety."""
    return export_or_render(
        request, "dashboards/horizon.html", pages.horizon_context(request.user), "Horizon scanning"
    )


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
