"""The production overlay rendered as whoever deploys it would: secrets.env filled in, the image set by digest."""

import base64
import secrets
import shutil

import pytest
import yaml
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.deploy.tools import ROOT, run, tool

IMAGE = "registry.example.com/walker@sha256:" + "ab" * 32


def sendgrid_verification_key() -> str:
    """A public key in the form SendGrid shows for its signed Event Webhook (base64 DER, P-256)."""
    public = ec.generate_private_key(ec.SECP256R1()).public_key()
    der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode()


def filled_secrets() -> dict[str, str]:
    """A value for every line of secrets.env.example, of the kind its comment asks for."""
    values = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": "postgres://walker_app:app-password@db.internal:5432/walker",
        "MIGRATE_DATABASE_URL": "postgres://walker:owner-password@db.internal:5432/walker",
        "REDIS_URL": "rediss://:redis-password@cache.internal:6380/0",
        "CELERY_BROKER_URL": "",
        "ENCRYPTION_KEYS": f"{Fernet.generate_key().decode()},{Fernet.generate_key().decode()}",
        "PII_HASH_KEY": secrets.token_urlsafe(32),
        "TWILIO_ACCOUNT_SID": "AC" + secrets.token_hex(16),
        "TWILIO_AUTH_TOKEN": secrets.token_hex(16),
        "SENDGRID_API_KEY": "SG." + secrets.token_urlsafe(40),
        "SENDGRID_WEBHOOK_PUBLIC_KEY": sendgrid_verification_key(),
        "SENDGRID_INBOUND_USER": "inbound",
        "SENDGRID_INBOUND_PASSWORD": secrets.token_urlsafe(24),
        "LANGFLOW_API_KEY": "",
        "OPENAI_API_KEY": "",
        "METRICS_TOKEN": secrets.token_urlsafe(32),
        "JWT_SIGNING_KEY": secrets.token_urlsafe(50),
        "SENTRY_DSN": "",
        "GOOGLE_OAUTH_CLIENT_SECRET": "",  # optional: the Connect buttons
        "GOOGLE_ADS_DEVELOPER_TOKEN": "",
        "META_APP_SECRET": "",
        "SLACK_CLIENT_SECRET": "",
        "SLACK_SIGNING_SECRET": "",
    }
    example = ROOT / "deploy" / "overlays" / "production" / "secrets.env.example"
    names = [line.split("=", 1)[0] for line in example.read_text().splitlines() if line and not line.startswith("#")]
    assert sorted(names) == sorted(values), "secrets.env.example and this fixture must name the same secrets"
    return values


@pytest.fixture(scope="session")
def deployed(tmp_path_factory) -> dict:
    """{"path": the rendered file, "objects": its objects, "secrets": what secrets.env held}."""
    kubectl = tool("kubectl")
    work = tmp_path_factory.mktemp("deploy")
    shutil.copytree(ROOT / "deploy", work / "deploy")
    overlay = work / "deploy" / "overlays" / "production"
    values = filled_secrets()
    (overlay / "secrets.env").write_text("".join(f"{name}={value}\n" for name, value in values.items()))
    name, digest = IMAGE.split("@")
    with (overlay / "kustomization.yaml").open("a") as kustomization:
        kustomization.write(f"images:\n  - name: walker\n    newName: {name}\n    digest: {digest}\n")
    rendered = run([kubectl, "kustomize", str(overlay)])
    assert rendered.returncode == 0, rendered.stderr
    path = work / "rendered.yaml"
    path.write_text(rendered.stdout)
    return {"path": path, "objects": [o for o in yaml.safe_load_all(rendered.stdout) if o], "secrets": values}
