"""Signs an inbound webhook the way the provider does, with the provider's own library.

Usage: sign_inbound.py PROVIDER SECRET TIMESTAMP [MESSAGE_ID] < body
Prints a JSON object of the headers the provider would send. Providers:
  standardwebhooks  standardwebhooks.Webhook.sign       (webhook-id/-timestamp/-signature)
  svix              svix.webhooks.Webhook.sign          (svix-id/-timestamp/-signature)
  stripe            stripe.WebhookSignature             (Stripe-Signature: t=..,v1=..)
  slack             slack_sdk.signature.SignatureVerifier (X-Slack-Signature, -Request-Timestamp)
  shopify           Shopify's documented Python example  (X-Shopify-Hmac-Sha256; no library)
"""

import json
import sys
from datetime import datetime, timezone


def main() -> None:
    provider, secret, timestamp = sys.argv[1], sys.argv[2], int(sys.argv[3])
    body = sys.stdin.buffer.read()
    if provider == "standardwebhooks":
        from standardwebhooks.webhooks import Webhook

        msg_id = sys.argv[4]
        when = datetime.fromtimestamp(timestamp, tz=timezone.utc)
        signature = Webhook(secret).sign(msg_id, when, body.decode("utf-8"))
        headers = {
            "webhook-id": msg_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signature,
        }
    elif provider == "svix":
        from svix.webhooks import Webhook as SvixWebhook

        msg_id = sys.argv[4]
        when = datetime.fromtimestamp(timestamp, tz=timezone.utc)
        signature = SvixWebhook(secret).sign(msg_id, when, body.decode("utf-8"))
        headers = {
            "svix-id": msg_id,
            "svix-timestamp": str(timestamp),
            "svix-signature": signature,
        }
    elif provider == "stripe":
        import stripe

        header = stripe.WebhookSignature.generate_signature_header(
            body.decode("utf-8"), secret, timestamp=timestamp
        )
        # Stripe's own verifier must accept what it generated, or the test proves nothing.
        stripe.WebhookSignature.verify_header(
            body.decode("utf-8"), header, secret, tolerance=None
        )
        headers = {"Stripe-Signature": header}
    elif provider == "slack":
        from slack_sdk.signature import SignatureVerifier

        verifier = SignatureVerifier(secret)
        signature = verifier.generate_signature(timestamp=str(timestamp), body=body)
        headers = {
            "X-Slack-Signature": signature,
            "X-Slack-Request-Timestamp": str(timestamp),
        }
    elif provider == "shopify":
        # Shopify publishes no signing library; this is the Python example from its docs on
        # verifying webhooks: base64 of HMAC-SHA256 over the raw body, keyed by the secret.
        import base64
        import hashlib
        import hmac

        digest = hmac.new(secret.encode("utf-8"), body, digestmod=hashlib.sha256).digest()
        headers = {"X-Shopify-Hmac-Sha256": base64.b64encode(digest).decode()}
    else:
        raise SystemExit(f"unknown provider {provider!r}")
    print(json.dumps(headers))


if __name__ == "__main__":
    main()
