"""Quarterly review pages: the whole plan for a quarter, one deliverable's update and evidence, the
submit / return / sign-off / unlock actions, reporting quarters and evidence downloads."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from partnerships.permissions import admin_required
from reviews import clock, pages, services
from reviews.evidence import EXTENSIONS, download_name
from reviews.forms import DeliverableUpdateForm, EvidenceForm, ReportingQuarterForm, ReviewCommentForm
from reviews.permissions import (
    get_evidence_for_user,
    get_quarter_for_user,
    get_review_for_user,
    get_update_for_user,
)
from strategies.permissions import get_deliverable_for_user


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def deliverable_detail(request, pk):
    deliverable = get_deliverable_for_user(request.user, pk)
    context = pages.deliverable_context(deliverable, request.user, clock.reporting_date())
    return render(request, "reviews/deliverable_detail.html", context)


def reviews_index(request):
    """Every reporting quarter and where each partnership's review stands."""
    return render(request, "reviews/reviews_index.html", pages.reviews_index_context(request.user))


@require_http_methods(["GET", "POST"])
def review_detail(request, slug, quarter_pk):
    """The whole plan for a quarter on one page; each changed row is saved (or refused) on its own."""
    writing = request.method == "POST"
    review = get_review_for_user(request.user, slug, quarter_pk, write=writing)
    data = request.POST.copy() if writing else None
    page = pages.build_review(review, data, request.FILES if writing else None)
    if writing:
        services.check_review_editable(review)
        saved, problems = pages.save_review_rows(page, data, request.user)
        if not problems:
            messages.success(
                request, f"Saved {_plural(saved, 'update')}." if saved else "Nothing had changed."
            )
            return redirect(review.get_absolute_url())
        needs = "needs" if problems == 1 else "need"
        messages.warning(
            request,
            f"Saved {_plural(saved, 'update')}. {problems} {needs} attention: see the rows marked below.",
        )
        page = pages.rebuild_after_problems(page, data)
    return render(request, "reviews/review_detail.html", pages.review_context(page, request.user))


@require_http_methods(["GET", "POST"])
def review_deliverable(request, slug, quarter_pk, pk):
    """One deliverable's update for a quarter, with its evidence (links and files)."""
    writing = request.method == "POST"
    review = get_review_for_user(request.user, slug, quarter_pk, write=writing)
    deliverable = get_update_for_user(request.user, review, pk)
    context = pages.update_context(review, deliverable)
    is_evidence = writing and request.POST.get("action") == "evidence"
    form = DeliverableUpdateForm(
        request.POST if writing and not is_evidence else None,
        instance=context["current"],
        deliverable=deliverable,
        quarter=review.quarter,
        previous=context["previous"],
        empty_permitted=False,
    )
    evidence_form = EvidenceForm(
        request.POST if is_evidence else None, request.FILES if is_evidence else None
    )
    conflict = None
    if writing:
        services.check_review_editable(review)
        handler = _add_evidence if is_evidence else _save_update
        done, conflict = handler(request, review, context, form, evidence_form)
        if done:
            return redirect(request.path)
    current = context["current"]
    context.update(
        form=form,
        evidence_form=evidence_form,
        evidence=current.evidence.select_related("added_by") if current else [],
        conflict=conflict,
        can_edit=review.can_edit(request.user),
    )
    return render(request, "reviews/review_deliverable.html", context)


def _add_evidence(request, review, context, form, evidence_form):
    if context["current"] is None:
        messages.error(request, "Save this quarter's update first, then add its evidence.")
    elif evidence_form.is_valid():
        services.evidence_add(
            review=review,
            update=context["current"],
            evidence=evidence_form.save(commit=False),
            user=request.user,
        )
        messages.success(request, "Evidence added.")
        return True, None
    return False, None


def _save_update(request, review, context, form, evidence_form):
    if not form.is_valid():
        return False, None
    try:
        services.update_save(
            review=review,
            update=form.save(commit=False),
            expected_version=form.expected_version,
            user=request.user,
        )
    except services.EditConflict as conflict:
        form.data = form.data.copy()
        form.data["version"] = conflict.current.version
        form.add_error(None, pages.CONFLICT_MESSAGE)
        return False, conflict
    messages.success(request, f"Saved the {review.quarter} update for “{context['deliverable'].title}”.")
    return True, None


def _comment(request) -> str:
    form = ReviewCommentForm(request.POST)
    form.is_valid()
    return form.cleaned_data.get("comment", "")


def _apply(request, review, service, success: str, **extra):
    """Run a review transition; refusals come back as a plain message on the review page."""
    try:
        service(review=review, user=request.user, **extra)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect(review.get_absolute_url())


@require_POST
def review_submit(request, slug, quarter_pk):
    review = get_review_for_user(request.user, slug, quarter_pk, write=True)
    success = f"Submitted {review.quarter} for sign-off by the partnership's lead."
    return _apply(request, review, services.review_submit, success)


@require_POST
def review_return(request, slug, quarter_pk):
    review = get_review_for_user(request.user, slug, quarter_pk, sign_off=True)
    success = f"Returned {review.quarter} to the officers with your comment."
    return _apply(request, review, services.review_return, success, comment=_comment(request))


@require_POST
def review_sign_off(request, slug, quarter_pk):
    review = get_review_for_user(request.user, slug, quarter_pk, sign_off=True)
    success = f"Signed off {review.quarter}. It is now locked for {review.partnership}."
    return _apply(request, review, services.review_sign_off, success, comment=_comment(request))


@require_POST
@admin_required
def review_unlock(request, slug, quarter_pk):
    review = get_review_for_user(request.user, slug, quarter_pk, write=True)
    success = f"Unlocked {review.quarter} for {review.partnership}. The reason is kept with the review."
    return _apply(request, review, services.review_unlock, success, reason=_comment(request))


def evidence_download(request, pk):
    """Evidence files are served only here, to people allowed to see them, never from a public URL."""
    evidence = get_evidence_for_user(request.user, pk)
    if not evidence.file:
        return redirect(evidence.url)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404("That file is missing from storage; ask an administrator to restore it.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=download_name(evidence.original_name, evidence.content_type, f"evidence-{evidence.pk}"),
        content_type=evidence.content_type
        if evidence.content_type in EXTENSIONS
        else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@admin_required
def quarter_set_status(request, pk):
    quarter = get_quarter_for_user(request.user, pk, write=True)
    try:
        services.quarter_set_status(quarter=quarter, status=request.POST.get("status"), user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{quarter} is now {quarter.get_status_display().lower()}.")
    return redirect("reviews:index")


@require_POST
@admin_required
def quarter_create(request):
    form = ReportingQuarterForm(request.POST)
    if form.is_valid():
        quarter = form.save()
        messages.success(request, f"Added {quarter} ({quarter.get_status_display().lower()}).")
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("reviews:index")
