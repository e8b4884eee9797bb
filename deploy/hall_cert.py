"""A certificate for the hall LAN: `make hall-cert` (python -m deploy.hall_cert).

A congress without a certificate of its own makes a small private authority (the hall
CA) and a server certificate signed by it for the names and addresses the tablets use,
e.g. `python -m deploy.hall_cert --name vote.hall.lan --ip 192.168.10.2`. Install
hall-ca.pem on the tablets once (or use the congress's own certificate instead); the
server pair goes to nginx (deploy/nginx.conf). Keys are written 0600 and never leave
the output folder. Everything is made with pyca/cryptography (ECDSA P-256, SHA-256).
"""
import argparse
import ipaddress
import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_DAYS = 3650
SERVER_DAYS = 825  # the most browsers accept for a server certificate


@dataclass(frozen=True)
class HallCert:
    ca: Path
    cert: Path
    key: Path


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "人民代表大会 会场网络"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _write_key(path: Path, key) -> None:
    data = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def make(out: Path, names: list[str], ips: list[str], now: datetime | None = None) -> HallCert:
    """Write hall-ca.pem, hall.pem (the server chain: server then CA) and hall.key to `out`."""
    out.mkdir(parents=True, exist_ok=True)
    now = now or datetime.now(timezone.utc)
    start = now - timedelta(minutes=5)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("会场网络证书颁发机构 Hall LAN CA")
    ca_cert = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
               .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(start).not_valid_after(now + timedelta(days=CA_DAYS))
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                            key_encipherment=False, data_encipherment=False, key_agreement=False,
                                            key_cert_sign=True, crl_sign=True, encipher_only=False,
                                            decipher_only=False), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
               .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    alt = [x509.DNSName(name) for name in names] + [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ips]
    cert = (x509.CertificateBuilder().subject_name(_name(names[0] if names else ips[0]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(now + timedelta(days=SERVER_DAYS))
            .add_extension(x509.SubjectAlternativeName(alt), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    result = HallCert(ca=out / "hall-ca.pem", cert=out / "hall.pem", key=out / "hall.key")
    pem = serialization.Encoding.PEM
    result.ca.write_bytes(ca_cert.public_bytes(pem))
    result.cert.write_bytes(cert.public_bytes(pem) + ca_cert.public_bytes(pem))
    _write_key(result.key, key)
    # The CA's key is not kept: nothing else will ever be signed by it, so it cannot leak.
    return result


def spki_sha256(cert_path: Path) -> str:
    """Base64 SHA-256 of the first certificate's public key (Chromium's
    --ignore-certificate-errors-spki-list, HPKP-style pins)."""
    import base64

    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    spki = cert.public_key().public_bytes(serialization.Encoding.DER,
                                          serialization.PublicFormat.SubjectPublicKeyInfo)
    digest = hashes.Hash(hashes.SHA256())
    digest.update(spki)
    return base64.b64encode(digest.finalize()).decode()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="为会场局域网生成 HTTPS 证书（会场证书颁发机构 + 服务器证书）")
    parser.add_argument("--out", default="instance/tls", help="输出目录（默认 instance/tls）")
    parser.add_argument("--name", action="append", default=[], help="服务器域名，可重复（默认 localhost）")
    parser.add_argument("--ip", action="append", default=[], help="服务器 IP 地址，可重复（默认 127.0.0.1）")
    args = parser.parse_args(argv)
    names = args.name or ["localhost"]
    ips = args.ip or ["127.0.0.1"]
    made = make(Path(args.out), names, ips)
    print(f"会场证书颁发机构（安装到每台平板）：{made.ca}")
    print(f"服务器证书链：{made.cert}\n服务器私钥（0600）：{made.key}")
    print(f"名称：{', '.join(names)}；地址：{', '.join(ips)}")


if __name__ == "__main__":
    main()
