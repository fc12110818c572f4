"""How learners reach the hub: the address as a QR code, and a certificate for HTTPS.

Why a QR code: typing `http://192.168.1.20:8000/` on thirty tablets takes a lesson's first
ten minutes; pointing a camera at the projector takes seconds. Why self-signed: a room with
no internet has no certificate authority to ask; browsers warn once, then the traffic on the
room's Wi-Fi is encrypted. `segno` and `cryptography` come with the `classroom` extra.

>>> learner_url("192.168.1.20", 8000), learner_url("192.168.1.20", 443, https=True)
('http://192.168.1.20:8000/', 'https://192.168.1.20/')
"""

from __future__ import annotations

import datetime as dt
import io
import ipaddress
import os
from pathlib import Path


def learner_url(ip: str, port: int, *, https: bool = False) -> str:
    """The address learners open (the default port of the scheme left out)."""
    scheme = "https" if https else "http"
    host = f"[{ip}]" if ":" in ip else ip
    default = 443 if https else 80
    return f"{scheme}://{host}/" if port == default else f"{scheme}://{host}:{port}/"


def qr_text(url: str) -> str:
    """The QR code of `url` drawn with block characters, for the terminal."""
    import segno

    out = io.StringIO()
    segno.make(url, error="m").terminal(out=out, compact=True, border=2)
    return out.getvalue()


def qr_png(url: str, path: Path) -> Path:
    """Save the QR code of `url` as a PNG (big enough to show on a projector)."""
    import segno

    path.parent.mkdir(parents=True, exist_ok=True)
    segno.make(url, error="m").save(str(path), kind="png", scale=12, border=4)
    return path


def self_signed_certificate(folder: Path, ip: str, days: int = 30) -> tuple[Path, Path]:
    """(certificate, key) for `ip` and localhost, made once and reused while valid for `ip`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    cert_path, key_path = folder / "classroom.crt", folder / "classroom.key"
    if cert_path.exists() and key_path.exists():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        still_valid = cert.not_valid_after_utc > dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
        if still_valid and ipaddress.ip_address(ip) in names.get_values_for_type(x509.IPAddress):
            return cert_path, key_path
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Class hub {ip}")])
    now = dt.datetime.now(dt.UTC)
    alt = x509.SubjectAlternativeName(
        [
            x509.IPAddress(ipaddress.ip_address(ip)),
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
            x509.DNSName("localhost"),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(alt, critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_bytes = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    handle = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(handle, "wb") as out:
        out.write(key_bytes)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path
