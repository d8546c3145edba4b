from tests.email.conftest import email_settings, post_email, sendgrid  # noqa: F401  (the email fixtures)
from tests.hitl.conftest import ask, campaign, paid_ads, workflow  # noqa: F401  (the approval fixtures)
from tests.whatsapp.conftest import member_phone, number, signing, twilio  # noqa: F401  (the WhatsApp fixtures)
