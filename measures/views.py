import datetime

from django.shortcuts import get_object_or_404, render

from measures.figures import FigureTable, baselines_for
from measures.models import Measure, Target
from partnerships.models import Partnership


def measure_list(request):
    measures = Measure.objects.for_list().order_by("order", "name")
    return render(request, "measures/measure_list.html", {"measures": measures})


def measure_detail(request, slug):
    measure = get_object_or_404(Measure.objects.prefetch_related("components", "priorities"), slug=slug)
    partnerships = list(Partnership.objects.active(datetime.date.today()).order_by("name"))
    table = FigureTable(partnerships, [measure])
    baselines = baselines_for(partnerships, [measure])
    targets = {}
    for target in Target.objects.filter(measure=measure, partnership__in=partnerships).select_related(
        "period"
    ):
        targets.setdefault(target.partnership_id, target)
    rows = []
    series = []
    for partnership in partnerships:
        summary = table.summary(partnership, measure, baselines.get((partnership.pk, measure.pk)))
        rows.append({"partnership": partnership, "summary": summary, "target": targets.get(partnership.pk)})
        series.append(
            {"label": partnership.name, "values": [v for _, v in table.series(partnership, measure)]}
        )
    periods = table.periods
    chart = {
        "labels": [p.label for p in periods],
        "datasets": [
            {"label": s["label"], "data": [float(v) if v is not None else None for v in s["values"]]}
            for s in series
        ],
        "unit": measure.get_unit_display(),
    }
    data_rows = [
        {"period": period, "values": [measure.format_value(s["values"][i]) for s in series]}
        for i, period in enumerate(periods)
    ]
    return render(
        request,
        "measures/measure_detail.html",
        {
            "measure": measure,
            "rows": rows,
            "chart": chart,
            "partnerships": partnerships,
            "data_rows": data_rows,
            "sources": sorted(table.sources),
        },
    )
