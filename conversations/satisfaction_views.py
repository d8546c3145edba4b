"""The page behind the email's rating link: 1 to 5 as buttons, each POSTing its score to `satisfaction.rate`.

A GET only shows the buttons (mail scanners fetch links; a GET never rates). The signed link is the credential:
nobody needs to be signed in, and the page speaks the language of the person it was sent to.
"""

from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from conversations import satisfaction


def _page(request, *, survey=None, title="", message="", status=200):
    context = {"survey": survey, "title": title, "message": message, "scores": list(satisfaction.SCORES)}
    response = render(request, "conversations/satisfaction.html", context, status=status)
    response["Referrer-Policy"] = "strict-origin"  # the token is in the path: keep it out of referrers
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def satisfaction_page(request, token):
    survey = satisfaction.survey_for_token(token)
    if survey is None:
        return _page(request, title=gettext("Invalid link"), message=gettext("This link is not valid."), status=400)
    if survey.conversation.user.language:
        translation.activate(survey.conversation.user.language)  # UserLanguageMiddleware resets it afterwards
    if request.method != "POST":
        if (closed := satisfaction.refusal(survey)) is not None:
            return _page(request, title=gettext("Rating closed"), message=closed.detail)
        return _page(request, survey=survey)
    try:
        score = int(request.POST.get("score", ""))
    except ValueError:
        score = None
    try:
        satisfaction.rate(survey, score)
    except satisfaction.RatingRefused as refused:
        status = 400 if refused.code == "out_of_range" else 409
        return _page(request, survey=survey if refused.code == "out_of_range" else None,
                     title=gettext("Rating not taken"), message=refused.detail, status=status)  # fmt: skip
    return _page(request, title=gettext("Thank you"), message=satisfaction.thanks(survey))
