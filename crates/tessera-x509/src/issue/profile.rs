//! Certificate profiles: which extensions a certificate of each kind carries (RFC 5280 §4.2).

use std::net::IpAddr;

use const_oid::{AssociatedOid, ObjectIdentifier, db::rfc5280};
use der::asn1::{Ia5String, OctetString};
use tessera_crypto::public_key::PublicKey;
use x509_cert::ext::{
    Extension,
    pkix::{
        AccessDescription, AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, BasicConstraints,
        CrlDistributionPoints, ExtendedKeyUsage, KeyUsage, KeyUsages, SubjectAltName,
        SubjectKeyIdentifier,
        crl::dp::DistributionPoint,
        name::{DistributionPointName, GeneralName},
    },
};

use super::{IssueError, tbs::encoding};

/// What a certificate is for, and so which extensions it gets.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Profile {
    /// A self-signed root: basicConstraints cA (critical) with an optional pathLenConstraint,
    /// keyUsage keyCertSign + cRLSign (critical), subject and authority key identifiers.
    RootCa {
        /// pathLenConstraint (RFC 5280 §4.2.1.9).
        path_len: Option<u8>,
    },
    /// A CA below the root that issues end-entity certificates: as [`Profile::RootCa`].
    IssuingCa {
        /// pathLenConstraint; `Some(0)` for a CA that issues only end entities.
        path_len: Option<u8>,
    },
    /// A key that signs: keyUsage digitalSignature + nonRepudiation (critical),
    /// basicConstraints cA FALSE, key identifiers, and the given extended key usages
    /// (id-kp-clientAuth, id-kp-emailProtection...), none if empty.
    Signing {
        /// extKeyUsage purposes (RFC 5280 §4.2.1.12).
        extended_key_usage: Vec<ObjectIdentifier>,
    },
    /// A key that decrypts: keyUsage keyEncipherment + dataEncipherment for RSA and SM2
    /// (SM2 also keyAgreement, as GM/T 0015 encryption certificates have), keyAgreement for
    /// ECDSA curves.
    Encryption,
    /// A TLS server: keyUsage digitalSignature (+ keyEncipherment for RSA), extKeyUsage
    /// serverAuth, subjectAltName with the names.
    TlsServer {
        /// dNSName entries.
        dns_names: Vec<String>,
        /// iPAddress entries.
        ip_addresses: Vec<IpAddr>,
    },
}

impl Profile {
    /// A signing certificate with no extended key usage.
    pub fn signing() -> Self {
        Self::Signing {
            extended_key_usage: Vec::new(),
        }
    }

    /// Whether certificates of this profile are CAs.
    pub fn is_ca(&self) -> bool {
        matches!(self, Self::RootCa { .. } | Self::IssuingCa { .. })
    }

    /// Reads an operator's name for a profile: `signing`, `signing-client` (clientAuth),
    /// `signing-email` (emailProtection), `encryption`, `issuing-ca`.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "signing" => Self::signing(),
            "signing-client" => Self::Signing {
                extended_key_usage: vec![rfc5280::ID_KP_CLIENT_AUTH],
            },
            "signing-email" => Self::Signing {
                extended_key_usage: vec![rfc5280::ID_KP_EMAIL_PROTECTION],
            },
            "encryption" => Self::Encryption,
            "issuing-ca" => Self::IssuingCa { path_len: Some(0) },
            _ => return None,
        })
    }
}

/// Where relying parties find the CRL and the issuer's certificate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Pointers {
    pub(super) crl_url: Option<String>,
    pub(super) ca_issuers_url: Option<String>,
}

fn ext<T: der::Encode>(
    oid: ObjectIdentifier,
    critical: bool,
    value: &T,
) -> Result<Extension, IssueError> {
    let der = value.to_der().map_err(encoding("extension"))?;
    Ok(Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(der).map_err(encoding("extension"))?,
    })
}

/// keyIdentifier per RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING.
pub(super) fn key_identifier(spki_der: &[u8]) -> Result<Vec<u8>, IssueError> {
    use der::Decode as _;
    let spki = spki::SubjectPublicKeyInfoRef::from_der(spki_der).map_err(|_| {
        IssueError::UnsupportedKey {
            reason: "malformed SubjectPublicKeyInfo",
        }
    })?;
    Ok(tessera_crypto::digest::DigestAlgorithm::Sha1.digest(spki.subject_public_key.raw_bytes()))
}

fn ia5(what: &'static str, s: &str) -> Result<Ia5String, IssueError> {
    Ia5String::new(s).map_err(|_| IssueError::InvalidName {
        what,
        value: s.to_owned(),
    })
}

/// The extensions of a certificate with `profile` for `spki_der`, issued by a CA whose key
/// identifier is `authority_key_id` (RFC 5280 §4.2.1.1; for a self-signed root, its own).
pub(super) fn extensions(
    profile: &Profile,
    spki_der: &[u8],
    authority_key_id: &[u8],
    pointers: &Pointers,
    subject_is_empty: bool,
) -> Result<Vec<Extension>, IssueError> {
    let mut out = Vec::new();
    let key = PublicKey::from_spki_der(spki_der).map_err(|_| IssueError::UnsupportedKey {
        reason: "the subject key is not SM2, P-256, P-384 or RSA",
    })?;

    // §4.2.1.9: basicConstraints, critical in CA certificates; present with cA FALSE in end
    // entities so no relying party mistakes them for CAs.
    let (ca, path_len) = match profile {
        Profile::RootCa { path_len } | Profile::IssuingCa { path_len } => (true, *path_len),
        _ => (false, None),
    };
    out.push(ext(
        BasicConstraints::OID,
        true,
        &BasicConstraints {
            ca,
            path_len_constraint: path_len,
        },
    )?);

    // §4.2.1.3: keyUsage, critical.
    let usage = match (profile, &key) {
        (Profile::RootCa { .. } | Profile::IssuingCa { .. }, _) => {
            KeyUsages::KeyCertSign | KeyUsages::CRLSign
        }
        (Profile::Signing { .. }, _) => KeyUsages::DigitalSignature | KeyUsages::NonRepudiation,
        (Profile::Encryption, PublicKey::Rsa(_)) => {
            KeyUsages::KeyEncipherment | KeyUsages::DataEncipherment
        }
        (Profile::Encryption, PublicKey::Sm2(_)) => {
            KeyUsages::KeyEncipherment | KeyUsages::DataEncipherment | KeyUsages::KeyAgreement
        }
        (Profile::Encryption, _) => KeyUsages::KeyAgreement.into(),
        (Profile::TlsServer { .. }, PublicKey::Rsa(_)) => {
            KeyUsages::DigitalSignature | KeyUsages::KeyEncipherment
        }
        (Profile::TlsServer { .. }, _) => KeyUsages::DigitalSignature.into(),
    };
    out.push(ext(KeyUsage::OID, true, &KeyUsage(usage))?);

    // §4.2.1.2 and §4.2.1.1: key identifiers.
    let ski = OctetString::new(key_identifier(spki_der)?).map_err(encoding("SKI"))?;
    out.push(ext(
        SubjectKeyIdentifier::OID,
        false,
        &SubjectKeyIdentifier(ski),
    )?);
    let aki = AuthorityKeyIdentifier {
        key_identifier: Some(OctetString::new(authority_key_id.to_vec()).map_err(encoding("AKI"))?),
        authority_cert_issuer: None,
        authority_cert_serial_number: None,
    };
    out.push(ext(AuthorityKeyIdentifier::OID, false, &aki)?);

    // §4.2.1.12: extKeyUsage, not critical.
    let eku = match profile {
        Profile::Signing { extended_key_usage } => extended_key_usage.clone(),
        Profile::TlsServer { .. } => vec![rfc5280::ID_KP_SERVER_AUTH],
        _ => Vec::new(),
    };
    if !eku.is_empty() {
        out.push(ext(ExtendedKeyUsage::OID, false, &ExtendedKeyUsage(eku))?);
    }

    // §4.2.1.6: subjectAltName, critical only when the subject is empty.
    if let Profile::TlsServer {
        dns_names,
        ip_addresses,
    } = profile
    {
        let mut names = Vec::new();
        for dns in dns_names {
            names.push(GeneralName::DnsName(ia5("dNSName", dns)?));
        }
        for ip in ip_addresses {
            let bytes = match ip {
                IpAddr::V4(v4) => v4.octets().to_vec(),
                IpAddr::V6(v6) => v6.octets().to_vec(),
            };
            names.push(GeneralName::IpAddress(
                OctetString::new(bytes).map_err(encoding("iPAddress"))?,
            ));
        }
        if names.is_empty() {
            return Err(IssueError::InvalidName {
                what: "subjectAltName",
                value: "a TLS server certificate needs at least one name".to_owned(),
            });
        }
        out.push(ext(
            SubjectAltName::OID,
            subject_is_empty,
            &SubjectAltName(names),
        )?);
    }

    if !matches!(profile, Profile::RootCa { .. }) {
        // §4.2.1.13: cRLDistributionPoints with one fullName URI.
        if let Some(url) = &pointers.crl_url {
            let dp = DistributionPoint {
                distribution_point: Some(DistributionPointName::FullName(vec![
                    GeneralName::UniformResourceIdentifier(ia5("CRL URL", url)?),
                ])),
                reasons: None,
                crl_issuer: None,
            };
            out.push(ext(
                CrlDistributionPoints::OID,
                false,
                &CrlDistributionPoints(vec![dp]),
            )?);
        }
        // §4.2.2.1: authorityInfoAccess with id-ad-caIssuers.
        if let Some(url) = &pointers.ca_issuers_url {
            let aia = AuthorityInfoAccessSyntax(vec![AccessDescription {
                access_method: rfc5280::ID_AD_CA_ISSUERS,
                access_location: GeneralName::UniformResourceIdentifier(ia5("caIssuers URL", url)?),
            }]);
            out.push(ext(AuthorityInfoAccessSyntax::OID, false, &aia)?);
        }
    }
    Ok(out)
}
