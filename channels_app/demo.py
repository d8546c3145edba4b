"""The demo tenant's WhatsApp number, so `simulate_whatsapp` works on a fresh `make run`."""

from channels_app.whatsapp.models import WhatsAppSender
from tenants.demo import demo_seeder

DEMO_WHATSAPP_NUMBER = "+14155238886"  # Twilio's WhatsApp sandbox number


@demo_seeder
def seed_whatsapp_number(tenant, log) -> None:
    _, created = WhatsAppSender.objects.get_or_create(tenant=tenant, defaults={"number": DEMO_WHATSAPP_NUMBER})
    log(f"  {'created' if created else 'exists '}  WhatsApp number {DEMO_WHATSAPP_NUMBER}")
