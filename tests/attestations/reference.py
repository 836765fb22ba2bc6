"""Attestations made, and gate's VSAs checked, by the reference implementations.

Run with the Python that `.ci/run` installs them into (tests/attestations.rs
calls it):

    reference.py keys DIR              ed25519, ECDSA P-256/P-384 and RSA keys
                                       (PKCS#8 PEM), public keys as PEM and
                                       the ed25519 one also as a
                                       securesystemslib JSON key
    reference.py sign DIR STATEMENT    the statement (a JSON file) in a DSSE
                                       envelope signed by each key with
                                       securesystemslib: DIR/<key>.intoto.json,
                                       and all of them as DIR/all.intoto.jsonl
    reference.py verify-vsa FILE PUB   verify both envelopes of a VSA file
                                       with securesystemslib, and validate
                                       the VSA with in-toto-attestation's
                                       Statement and VerificationSummary
                                       models; prints the verification result
    reference.py sigstore-sign KEY STATEMENT OUT
                                       the statement (a JSON file) in a
                                       Sigstore bundle signed with the ECDSA
                                       key, by model-signing's key signer
                                       (sigstore-models writes the bundle),
                                       then verified by model-signing's key
                                       verifier
"""

import hashlib
import json
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from securesystemslib.dsse import Envelope
from securesystemslib.signer import CryptoSigner, SSlibKey

KEYS = {
    "ed25519": lambda: ed25519.Ed25519PrivateKey.generate(),
    "ecdsa-p256": lambda: ec.generate_private_key(ec.SECP256R1()),
    "ecdsa-p384": lambda: ec.generate_private_key(ec.SECP384R1()),
    "rsa": lambda: rsa.generate_private_key(public_exponent=65537, key_size=3072),
}


def keys(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, generate in KEYS.items():
        private = generate()
        (directory / f"{name}.key").write_bytes(
            private.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        public = private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        (directory / f"{name}.pub").write_bytes(public)
        if name == "ed25519":
            signer = CryptoSigner(private)
            key = signer.public_key.to_dict()
            (directory / "ed25519.json").write_text(json.dumps(key))


def signer_for(path: Path) -> CryptoSigner:
    private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    return CryptoSigner(private)


def sign(directory: Path, statement: Path) -> None:
    payload = statement.read_bytes()
    lines = []
    for name in KEYS:
        envelope = Envelope(payload, "application/vnd.in-toto+json", {})
        envelope.sign(signer_for(directory / f"{name}.key"))
        text = json.dumps(envelope.to_dict())
        (directory / f"{name}.intoto.json").write_text(text)
        lines.append(text)
    (directory / "all.intoto.jsonl").write_text("\n".join(lines) + "\n")


def verify_vsa(path: Path, public: Path) -> None:
    from google.protobuf import json_format
    from in_toto_attestation.predicates.vsa.v1 import vsa_pb2
    from in_toto_attestation.v1 import statement as statement_v1

    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    # gate names its ed25519 key `sha256:` + the hex SHA-256 of the raw
    # public key (gate_eval::sign::key_id); securesystemslib looks the
    # signature up by that id.
    public_key = load_pem_public_key(public.read_bytes())
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    keyid = "sha256:" + hashlib.sha256(raw).hexdigest()
    key = SSlibKey.from_crypto(public_key, keyid=keyid)
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    assert len(lines) == 2, f"expected two envelopes, found {len(lines)}"
    statements = []
    for line in lines:
        envelope = Envelope.from_dict(json.loads(line))
        # Raises VerificationError unless the threshold (1) of keys verifies.
        envelope.verify([key], 1)
        statements.append(json.loads(envelope.payload))
    summary, record = statements
    # `_type` is `type` in the protobuf form the model reads.
    as_proto = dict(summary)
    as_proto["type"] = as_proto.pop("_type")
    parsed = statement_v1.Statement.copy_from_pb(
        json_format.ParseDict(as_proto, statement_v1.Statement([], "", {}).pb)
    )
    parsed.validate()
    # in-toto-attestation 0.9.3's VSA model predates two parts of SLSA VSA
    # v1.0 (https://slsa.dev/spec/v1.0/verification_summary): it has
    # `verifiedLevels` as one string where the specification has a list,
    # and no `verifier.version`. Those two are checked here against the
    # specification; everything else is parsed strictly by the model (an
    # unknown or mistyped field is an error).
    predicate = json.loads(json.dumps(summary["predicate"]))
    levels = predicate.pop("verifiedLevels")
    assert isinstance(levels, list) and levels, f"verifiedLevels is {levels!r}"
    assert all(isinstance(level, str) and level for level in levels), levels
    version = predicate["verifier"].pop("version", {})
    assert isinstance(version, dict), version
    assert all(isinstance(v, str) for v in version.values()), version
    vsa = json_format.ParseDict(predicate, vsa_pb2.VerificationSummary())
    vsa.verified_levels = ",".join(levels)
    assert vsa.verification_result in ("PASSED", "FAILED"), vsa.verification_result
    assert vsa.verifier.id, "no verifier.id"
    assert vsa.resource_uri, "no resourceUri"
    assert vsa.policy.digest, "no policy digest"
    assert summary["predicateType"] == "https://slsa.dev/verification_summary/v1"
    assert record["subject"] == summary["subject"]
    print(f"VSA verified: {vsa.verification_result} {vsa.verified_levels}")


def sigstore_sign(key: Path, statement: Path, out: Path) -> None:
    from types import SimpleNamespace

    from google.protobuf import json_format
    from in_toto_attestation.v1 import statement as statement_v1
    from model_signing._signing import sign_ec_key

    as_proto = json.loads(statement.read_text())
    as_proto["type"] = as_proto.pop("_type")
    pb = json_format.ParseDict(as_proto, statement_v1.Statement([], "", {}).pb)
    # The signer reads only `payload.statement.pb` (the in-toto Statement).
    payload = SimpleNamespace(statement=SimpleNamespace(pb=pb))
    signature = sign_ec_key.Signer(key).sign(payload)
    signature.write(out)
    # model-signing's verifier checks the bundle it wrote with the public key.
    public = out.with_suffix(".pub")
    private = serialization.load_pem_private_key(key.read_bytes(), password=None)
    public.write_bytes(
        private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    verifier = sign_ec_key.Verifier(public)
    payload_type, payload_bytes = verifier._verify_bundle(signature.bundle)
    assert json.loads(payload_bytes)["subject"] == json.loads(statement.read_text())["subject"]
    public.unlink()
    print(f"signed: {out} ({payload_type})")


def main() -> None:
    command, *args = sys.argv[1:]
    if command == "keys":
        keys(Path(args[0]))
    elif command == "sign":
        sign(Path(args[0]), Path(args[1]))
    elif command == "sigstore-sign":
        sigstore_sign(Path(args[0]), Path(args[1]), Path(args[2]))
    elif command == "verify-vsa":
        verify_vsa(Path(args[0]), Path(args[1]))
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main()
