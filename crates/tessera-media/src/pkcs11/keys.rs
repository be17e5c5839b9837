//! Key pairs and certificates written to a token: generation (PKCS#11 v2.40 §5.14
//! `C_GenerateKeyPair`), CSRs signed on the token, import by `C_CreateObject` (§5.7) and export of
//! keys made extractable and non-sensitive (§4.9).

use cryptoki::mechanism::Mechanism;
use cryptoki::object::{
    Attribute, AttributeType, CertificateType, KeyType, ObjectClass, ObjectHandle,
};
use der::{Decode as _, Encode as _};
use tessera_crypto::digest::DigestAlgorithm;
use tessera_x509::Certificate;
use zeroize::Zeroizing;

use super::Pkcs11Token;
use super::objects::{self, P256_OID, P384_OID, PublicHalf, attrs, bytes, find, invalid};
use crate::{
    CertEntry, CertRef, CsrRequest, GeneratedKey, KeyAlgorithm, KeyEntry, KeyRef, KeySpec,
    MediumError, Result,
};

fn unsupported(what: impl Into<String>) -> MediumError {
    MediumError::Unsupported { what: what.into() }
}

/// `CKA_ID` for a public key: SHA-1 of the subjectPublicKey bits (RFC 5280 §4.2.1.2 method 1).
fn key_id(spki: &[u8]) -> Result<Vec<u8>> {
    let bits = objects::spki_bits(spki).ok_or_else(|| invalid("public key", "not an SPKI"))?;
    Ok(DigestAlgorithm::Sha1.digest(&bits))
}

fn label_of(subject: &str) -> Vec<u8> {
    subject.as_bytes().iter().copied().take(64).collect()
}

impl Pkcs11Token {
    /// The public half of the key with `CKA_ID` `id`: from its public-key object, else from a
    /// certificate with that `CKA_ID`.
    pub(crate) fn public_half_of(
        &self,
        id: &[u8],
        _private: Option<ObjectHandle>,
    ) -> Result<Option<PublicHalf>> {
        if !id.is_empty() {
            for h in
                find(&self.session, ObjectClass::PUBLIC_KEY, Some(id)).map_err(|e| self.map(e))?
            {
                if let Some(half) = objects::public_half(&self.session, h)? {
                    return Ok(Some(half));
                }
            }
        }
        for raw in self.raw_certificates()? {
            if raw.id != id || id.is_empty() {
                continue;
            }
            if let Ok(cert) = Certificate::from_der(&raw.der) {
                let spki = cert
                    .x509()
                    .tbs_certificate()
                    .subject_public_key_info()
                    .to_der()
                    .map_err(|e| invalid("certificate key", e))?;
                if let Some(algorithm) = algorithm_of_spki(&spki) {
                    return Ok(Some(PublicHalf { algorithm, spki }));
                }
            }
        }
        Ok(None)
    }

    /// Makes a key pair on the token and a CSR signed on the token.
    pub(crate) fn generate(&mut self, spec: KeySpec, request: &CsrRequest) -> Result<GeneratedKey> {
        self.need_login()?;
        let temp_id = tessera_crypto::rng::bytes::<20>()?.to_vec();
        let label = label_of(&request.subject);
        let common = |private: bool| {
            let mut t = vec![
                Attribute::Token(true),
                Attribute::Id(temp_id.clone()),
                Attribute::Label(label.clone()),
            ];
            if private {
                t.extend([
                    Attribute::Private(true),
                    Attribute::Sign(true),
                    Attribute::Sensitive(!request.exportable),
                    Attribute::Extractable(request.exportable),
                ]);
            } else {
                t.extend([Attribute::Private(false), Attribute::Verify(true)]);
            }
            t
        };
        let (mechanism, mut public_t) = match spec {
            KeySpec::P256 => (
                Mechanism::EccKeyPairGen,
                vec![Attribute::EcParams(
                    P256_OID.to_der().map_err(|e| invalid("OID", e))?,
                )],
            ),
            KeySpec::Rsa2048 | KeySpec::Rsa3072 => {
                let bits: u64 = if spec == KeySpec::Rsa2048 { 2048 } else { 3072 };
                (
                    Mechanism::RsaPkcsKeyPairGen,
                    vec![
                        Attribute::ModulusBits(bits.into()),
                        Attribute::PublicExponent(vec![1, 0, 1]),
                    ],
                )
            }
            KeySpec::Sm2 => {
                return Err(unsupported(
                    "SM2 key generation: this PKCS#11 module offers no SM2 mechanism (SoftHSM2 \
                     has none)",
                ));
            }
        };
        public_t.extend(common(false));
        let (public, private) = self
            .session
            .generate_key_pair(&mechanism, &public_t, &common(true))
            .map_err(|e| self.map(e))?;
        let half = objects::public_half(&self.session, public)?
            .ok_or_else(|| unsupported("reading back the generated public key"))?;
        let id = key_id(&half.spki)?;
        for h in [public, private] {
            self.session
                .update_attributes(h, &[Attribute::Id(id.clone())])
                .map_err(|e| self.map(e))?;
        }
        let entry = KeyEntry {
            reference: KeyRef::new(id),
            algorithm: half.algorithm,
            public_key: half.spki,
            exportable: request.exportable,
        };
        // The new key signs its own request on the token, as any key on a medium does.
        let csr = crate::csr::build(&crate::MediumSigner::new(self, &entry), request)?;
        Ok(GeneratedKey { key: entry, csr })
    }

    /// Stores a certificate for the key with the same public key (or with `CKA_ID` `id` when
    /// given, for certificates of other keys such as CAs).
    pub(crate) fn store_certificate(&self, der: &[u8], id: Option<&[u8]>) -> Result<CertEntry> {
        let cert = Certificate::from_der(der)?;
        let reference = CertRef::of_der(der);
        let tbs = cert.x509().tbs_certificate();
        let spki = tbs
            .subject_public_key_info()
            .to_der()
            .map_err(|e| invalid("certificate", e))?;
        let id = match id {
            Some(id) => id.to_vec(),
            None => self
                .id_for_public_key(&spki)?
                .ok_or_else(|| MediumError::NoMatchingKey {
                    thumbprint: reference.thumbprint().to_owned(),
                })?,
        };
        // One C_FindObjects matching the value, not a read of every certificate.
        let exists = !self
            .session
            .find_objects(&[
                Attribute::Class(ObjectClass::CERTIFICATE),
                Attribute::Value(der.to_vec()),
            ])
            .map_err(|e| self.map(e))?
            .is_empty();
        if !exists {
            fn enc(v: &impl der::Encode) -> Result<Vec<u8>> {
                Ok(v.to_der().map_err(|e| invalid("certificate", e))?)
            }
            self.session
                .create_object(&[
                    Attribute::Class(ObjectClass::CERTIFICATE),
                    Attribute::CertificateType(CertificateType::X_509),
                    Attribute::Token(true),
                    Attribute::Private(false),
                    Attribute::Id(id.clone()),
                    Attribute::Label(label_of(&tbs.subject().to_string())),
                    Attribute::Subject(enc(tbs.subject())?),
                    Attribute::Issuer(enc(tbs.issuer())?),
                    Attribute::SerialNumber(enc(tbs.serial_number())?),
                    Attribute::Value(der.to_vec()),
                ])
                .map_err(|e| self.map(e))?;
        }
        Ok(CertEntry {
            reference,
            certificate: cert,
            key: (!id.is_empty()).then(|| KeyRef::new(id)),
        })
    }

    /// The `CKA_ID` of the key on the token with this public key, if any.
    fn id_for_public_key(&self, spki: &[u8]) -> Result<Option<Vec<u8>>> {
        let wanted = objects::spki_bits(spki);
        for h in find(&self.session, ObjectClass::PUBLIC_KEY, None).map_err(|e| self.map(e))? {
            if let Some(half) = objects::public_half(&self.session, h)?
                && objects::spki_bits(&half.spki) == wanted
            {
                let a = attrs(&self.session, h, &[AttributeType::Id]).map_err(|e| self.map(e))?;
                return Ok(bytes(&a, AttributeType::Id).map(<[u8]>::to_vec));
            }
        }
        if self.logged_in {
            for h in find(&self.session, ObjectClass::PRIVATE_KEY, None).map_err(|e| self.map(e))? {
                if let Some(entry) = self.key_entry(h)?
                    && objects::spki_bits(&entry.public_key) == wanted
                {
                    return Ok(Some(entry.reference.id().to_vec()));
                }
            }
        }
        Ok(None)
    }

    /// Imports a P-256/P-384 private key (PKCS#8) as a private-key object and its public-key
    /// object (v2.40 §2.3.4). RSA and SM2 keys are refused as `Unsupported`.
    pub(crate) fn store_key(&self, pkcs8: &[u8], exportable: bool) -> Result<KeyEntry> {
        let info =
            pkcs8::PrivateKeyInfoRef::from_der(pkcs8).map_err(|e| invalid("private key", e))?;
        let ec = tessera_crypto::ecdsa::EcdsaPrivateKey::from_der(pkcs8).map_err(|_| {
            unsupported(format!(
                "importing {} keys into a token",
                info.algorithm.oid
            ))
        })?;
        let spki = ec.public_key().to_spki_der()?;
        let curve = match ec.curve() {
            tessera_crypto::ecdsa::EcCurve::P384 => P384_OID,
            _ => P256_OID,
        };
        let sec1 = sec1::EcPrivateKey::from_der(info.private_key.as_bytes())
            .map_err(|e| invalid("private key", e))?;
        let point = objects::spki_bits(&spki).unwrap_or_default();
        let id = key_id(&spki)?;
        let params = curve.to_der().map_err(|e| invalid("OID", e))?;
        let point_der = <&der::asn1::OctetStringRef>::try_from(point.as_slice())
            .and_then(|o| o.to_der())
            .map_err(|e| invalid("EC point", e))?;
        if find(&self.session, ObjectClass::PRIVATE_KEY, Some(&id))
            .map_err(|e| self.map(e))?
            .is_empty()
        {
            self.session
                .create_object(&[
                    Attribute::Class(ObjectClass::PRIVATE_KEY),
                    Attribute::KeyType(KeyType::EC),
                    Attribute::Token(true),
                    Attribute::Private(true),
                    Attribute::Sign(true),
                    Attribute::Sensitive(!exportable),
                    Attribute::Extractable(exportable),
                    Attribute::Id(id.clone()),
                    Attribute::EcParams(params.clone()),
                    Attribute::Value(sec1.private_key.to_vec()),
                ])
                .map_err(|e| self.map(e))?;
            self.session
                .create_object(&[
                    Attribute::Class(ObjectClass::PUBLIC_KEY),
                    Attribute::KeyType(KeyType::EC),
                    Attribute::Token(true),
                    Attribute::Private(false),
                    Attribute::Verify(true),
                    Attribute::Id(id.clone()),
                    Attribute::EcParams(params),
                    Attribute::EcPoint(point_der),
                ])
                .map_err(|e| self.map(e))?;
        }
        Ok(KeyEntry {
            reference: KeyRef::new(id),
            algorithm: algorithm_of_spki(&spki).unwrap_or(KeyAlgorithm::P256),
            public_key: spki,
            exportable,
        })
    }

    /// DER PKCS#8 of an EC key made extractable and not sensitive.
    pub(crate) fn export(&self, key: &KeyRef) -> Result<Zeroizing<Vec<u8>>> {
        let handle = self.private_key(key)?;
        let entry = self.key_entry(handle)?.ok_or(MediumError::NoSuchKey)?;
        if !entry.exportable {
            return Err(MediumError::NotExportable);
        }
        let a = attrs(
            &self.session,
            handle,
            &[
                AttributeType::KeyType,
                AttributeType::Value,
                AttributeType::EcParams,
            ],
        )
        .map_err(|e| self.map(e))?;
        if objects::key_type(&a) != Some(KeyType::EC) {
            return Err(unsupported("exporting non-EC keys from a token"));
        }
        let (Some(value), Some(params)) = (
            bytes(&a, AttributeType::Value),
            bytes(&a, AttributeType::EcParams),
        ) else {
            return Err(MediumError::NotExportable);
        };
        let curve = objects::curve_oid(params)?;
        let point = objects::spki_bits(&entry.public_key).unwrap_or_default();
        let inner = Zeroizing::new(
            sec1::EcPrivateKey {
                private_key: value,
                parameters: None,
                public_key: Some(&point),
            }
            .to_der()
            .map_err(|e| invalid("private key", e))?,
        );
        let alg = spki::AlgorithmIdentifierRef {
            oid: const_oid::ObjectIdentifier::new_unwrap("1.2.840.10045.2.1"),
            parameters: Some(der::asn1::AnyRef::from(&curve)),
        };
        let os = <&der::asn1::OctetStringRef>::try_from(inner.as_slice())
            .map_err(|e| invalid("private key", e))?;
        let pk = pkcs8::PrivateKeyInfoRef::new(alg, os);
        Ok(Zeroizing::new(
            pk.to_der().map_err(|e| invalid("private key", e))?,
        ))
    }
}

/// The algorithm of a DER SubjectPublicKeyInfo, via the crypto layer's parser.
fn algorithm_of_spki(spki: &[u8]) -> Option<KeyAlgorithm> {
    use tessera_crypto::public_key::PublicKey;
    match PublicKey::from_spki_der(spki).ok()? {
        PublicKey::Sm2(_) => Some(KeyAlgorithm::Sm2),
        PublicKey::Ecdsa(k) => match k.curve() {
            tessera_crypto::ecdsa::EcCurve::P384 => Some(KeyAlgorithm::P384),
            _ => Some(KeyAlgorithm::P256),
        },
        PublicKey::Rsa(k) => Some(KeyAlgorithm::Rsa {
            bits: u32::try_from(k.bits()).unwrap_or(u32::MAX),
        }),
        #[allow(
            unreachable_patterns,
            reason = "PublicKey is non_exhaustive: a key type added later is no PKCS#11 key here"
        )]
        _ => None,
    }
}
