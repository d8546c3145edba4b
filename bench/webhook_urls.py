"""The product's URLs plus /bench/bare: a Django view that reads the form and answers empty TwiML, nothing else."""

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from channels_app.whatsapp.views import EMPTY_TWIML
from config.urls import urlpatterns as walker_urlpatterns


@csrf_exempt
def bare(request):
    request.POST.get("MessageSid")  # parse the same form the webhook parses
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")


urlpatterns = [path("bench/bare", bare), *walker_urlpatterns]
