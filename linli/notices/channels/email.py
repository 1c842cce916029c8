"""Email through Django's mail (EMAIL_BACKEND: the console by default, SMTP in production)."""

import smtplib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email

from ..models import Delivery
from .base import DeliveryError, plain_text


def send(delivery: Delivery) -> None:
    address = delivery.target
    try:
        validate_email(address)
    except ValidationError:
        raise DeliveryError(Delivery.Error.BAD_ADDRESS, "not an email address", permanent=True) from None
    payload = delivery.payload
    subject = " ".join(str(payload.get("title", "")).split())[:150]  # no line breaks in a subject
    message = EmailMessage(
        subject=subject,
        body=plain_text({**payload, "title": ""}),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers={"X-Linli-Delivery": delivery.key},
    )
    try:
        message.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused:
        raise DeliveryError(Delivery.Error.REJECTED, "the mail server refused the address", permanent=True) from None
    except smtplib.SMTPAuthenticationError:
        raise DeliveryError(Delivery.Error.BAD_SECRET, "the mail server refused the login") from None
    except smtplib.SMTPException as exc:
        raise DeliveryError(Delivery.Error.REJECTED, type(exc).__name__) from None
    except TimeoutError:
        raise DeliveryError(Delivery.Error.TIMEOUT, "the mail server did not answer") from None
    except OSError as exc:
        raise DeliveryError(Delivery.Error.UNREACHABLE, exc.strerror or type(exc).__name__) from None
