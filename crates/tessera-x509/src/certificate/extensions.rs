//! Certificate extensions (RFC 5280 §4.2) as the details view shows them.
//!
//! Each extension is decoded on its own: one that is malformed is reported as such, with its
//! bytes, and never stops the rest of the certificate from being shown.

use der::Decode as _;
use serde::{Deserialize, Serialize};
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{
    AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, CertificatePolicies, CrlDistributionPoints,
    ExtendedKeyUsage, SubjectKeyIdentifier,
};

use super::ber;
use super::name::{NameDetails, decode_string};

/// One extension of the certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtensionDetails {
    /// extnID, dotted decimal.
    pub oid: String,
    /// Whether it is marked critical (RFC 5280 §4.2).
    pub critical: bool,
    /// Its decoded value; the `id` member of the JSON object says which kind.
    #[serde(flatten)]
    pub value: ExtensionValue,
}

/// A decoded extension value, tagged in JSON by `id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "id", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ExtensionValue {
    /// keyUsage (RFC 5280 §4.2.1.3).
    KeyUsage {
        /// The bits that are set, in bit order.
        usages: Vec<KeyUsageBit>,
    },
    /// extKeyUsage (RFC 5280 §4.2.1.12).
    ExtendedKeyUsage {
        /// Key purposes, in encoded order.
        purposes: Vec<KeyPurpose>,
    },
    /// subjectAltName (RFC 5280 §4.2.1.6).
    SubjectAltName {
        /// The names, in encoded order.
        names: Vec<GeneralNameDetails>,
    },
    /// issuerAltName (RFC 5280 §4.2.1.7).
    IssuerAltName {
        /// The names, in encoded order.
        names: Vec<GeneralNameDetails>,
    },
    /// basicConstraints (RFC 5280 §4.2.1.9).
    BasicConstraints {
        /// cA: the subject is a CA.
        ca: bool,
        /// pathLenConstraint, when present.
        path_len: Option<u32>,
    },
    /// subjectKeyIdentifier (RFC 5280 §4.2.1.2).
    SubjectKeyIdentifier {
        /// The identifier, lowercase hex.
        key_id: String,
    },
    /// authorityKeyIdentifier (RFC 5280 §4.2.1.1).
    AuthorityKeyIdentifier {
        /// keyIdentifier, lowercase hex.
        key_id: Option<String>,
        /// authorityCertIssuer.
        issuer: Vec<GeneralNameDetails>,
        /// authorityCertSerialNumber, lowercase hex.
        serial: Option<String>,
    },
    /// cRLDistributionPoints (RFC 5280 §4.2.1.13).
    CrlDistributionPoints {
        /// URIs of every fullName.
        uris: Vec<String>,
        /// Other fullName entries (directory names, ...).
        other_names: Vec<GeneralNameDetails>,
    },
    /// freshestCRL (RFC 5280 §4.2.1.15), same syntax as cRLDistributionPoints.
    FreshestCrl {
        /// URIs of every fullName.
        uris: Vec<String>,
        /// Other fullName entries.
        other_names: Vec<GeneralNameDetails>,
    },
    /// authorityInfoAccess (RFC 5280 §4.2.2.1).
    AuthorityInfoAccess {
        /// id-ad-ocsp locations that are URIs.
        ocsp: Vec<String>,
        /// id-ad-caIssuers locations that are URIs.
        ca_issuers: Vec<String>,
    },
    /// certificatePolicies (RFC 5280 §4.2.1.4).
    CertificatePolicies {
        /// Policy OIDs, dotted decimal (`2.5.29.32.0` is anyPolicy).
        policies: Vec<String>,
        /// CPS pointer qualifiers (RFC 5280 §4.2.1.4, id-qt-cps), in order.
        cps_uris: Vec<String>,
    },
    /// An extension this model does not decode.
    Other {
        /// The name the OID registry gives it, if any (a technical identifier, not UI text).
        name: Option<String>,
        /// extnValue contents, lowercase hex.
        value_hex: String,
    },
    /// A known extension whose value does not decode.
    Malformed {
        /// What was wrong, for logs.
        reason: String,
        /// extnValue contents, lowercase hex.
        value_hex: String,
    },
}

pub use crate::key_usage::KeyUsageBit;

/// An extended key usage purpose (RFC 5280 §4.2.1.12).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyPurpose {
    /// KeyPurposeId, dotted decimal.
    pub oid: String,
    /// Stable identifier for well-known purposes (`server_auth`, `client_auth`...).
    pub name: Option<String>,
}

/// The form of a GeneralName (RFC 5280 §4.2.1.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GeneralNameKind {
    /// otherName; `oid` holds its type-id.
    OtherName,
    /// rfc822Name.
    Email,
    /// dNSName.
    Dns,
    /// directoryName, as an RFC 4514 string.
    Directory,
    /// ediPartyName, as hex.
    EdiParty,
    /// uniformResourceIdentifier.
    Uri,
    /// iPAddress, in the usual text form (hex if neither 4 nor 16 bytes).
    Ip,
    /// registeredID, dotted decimal.
    RegisteredId,
}

/// One GeneralName.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GeneralNameDetails {
    /// Which form.
    pub kind: GeneralNameKind,
    /// The name as text.
    pub value: String,
    /// For otherName, its type-id.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub oid: Option<String>,
}

impl GeneralNameDetails {
    /// Describes `name`.
    pub fn from_general_name(name: &GeneralName) -> Self {
        let simple = |kind, value: String| GeneralNameDetails {
            kind,
            value,
            oid: None,
        };
        match name {
            GeneralName::OtherName(other) => {
                let encoded = der::Encode::to_der(&other.value).unwrap_or_default();
                let value = encoded
                    .first()
                    .and_then(|id| decode_string(*id, other.value.value()))
                    .unwrap_or_else(|| format!("#{}", hex::encode(&encoded)));
                GeneralNameDetails {
                    kind: GeneralNameKind::OtherName,
                    value,
                    oid: Some(other.type_id.to_string()),
                }
            }
            GeneralName::Rfc822Name(s) => simple(GeneralNameKind::Email, s.to_string()),
            GeneralName::DnsName(s) => simple(GeneralNameKind::Dns, s.to_string()),
            GeneralName::DirectoryName(n) => simple(
                GeneralNameKind::Directory,
                NameDetails::from_name(n).rfc4514,
            ),
            GeneralName::EdiPartyName(e) => simple(
                GeneralNameKind::EdiParty,
                hex::encode(der::Encode::to_der(e).unwrap_or_default()),
            ),
            GeneralName::UniformResourceIdentifier(s) => {
                simple(GeneralNameKind::Uri, s.to_string())
            }
            GeneralName::IpAddress(octets) => {
                simple(GeneralNameKind::Ip, ip_text(octets.as_bytes()))
            }
            GeneralName::RegisteredId(oid) => {
                simple(GeneralNameKind::RegisteredId, oid.to_string())
            }
        }
    }
}

fn ip_text(bytes: &[u8]) -> String {
    if let Ok(v4) = <[u8; 4]>::try_from(bytes) {
        std::net::Ipv4Addr::from(v4).to_string()
    } else if let Ok(v6) = <[u8; 16]>::try_from(bytes) {
        std::net::Ipv6Addr::from(v6).to_string()
    } else {
        hex::encode(bytes)
    }
}

impl ExtensionDetails {
    /// Decodes `ext`. Never fails: see [`ExtensionValue::Malformed`] and [`ExtensionValue::Other`].
    pub fn from_extension(ext: &Extension) -> Self {
        let oid = ext.extn_id.to_string();
        let bytes = ext.extn_value.as_bytes();
        let value = decode(&oid, bytes).unwrap_or_else(|reason| {
            Some(ExtensionValue::Malformed {
                reason,
                value_hex: hex::encode(bytes),
            })
        });
        let value = value.unwrap_or_else(|| ExtensionValue::Other {
            name: const_oid::db::DB.by_oid(&ext.extn_id).map(str::to_owned),
            value_hex: hex::encode(bytes),
        });
        ExtensionDetails {
            oid,
            critical: ext.critical,
            value,
        }
    }

    /// Stable identifier of the kind (`key_usage`, ..., `other`, `malformed`), as in JSON.
    pub fn id(&self) -> &'static str {
        match &self.value {
            ExtensionValue::KeyUsage { .. } => "key_usage",
            ExtensionValue::ExtendedKeyUsage { .. } => "extended_key_usage",
            ExtensionValue::SubjectAltName { .. } => "subject_alt_name",
            ExtensionValue::IssuerAltName { .. } => "issuer_alt_name",
            ExtensionValue::BasicConstraints { .. } => "basic_constraints",
            ExtensionValue::SubjectKeyIdentifier { .. } => "subject_key_identifier",
            ExtensionValue::AuthorityKeyIdentifier { .. } => "authority_key_identifier",
            ExtensionValue::CrlDistributionPoints { .. } => "crl_distribution_points",
            ExtensionValue::FreshestCrl { .. } => "freshest_crl",
            ExtensionValue::AuthorityInfoAccess { .. } => "authority_info_access",
            ExtensionValue::CertificatePolicies { .. } => "certificate_policies",
            ExtensionValue::Other { .. } => "other",
            ExtensionValue::Malformed { .. } => "malformed",
        }
    }
}

/// `Ok(None)` for an extension this model does not decode.
fn decode(oid: &str, bytes: &[u8]) -> Result<Option<ExtensionValue>, String> {
    let err = |e: der::Error| e.to_string();
    Ok(Some(match oid {
        "2.5.29.15" => ExtensionValue::KeyUsage {
            usages: key_usage(bytes)?,
        },
        "2.5.29.37" => ExtensionValue::ExtendedKeyUsage {
            purposes: ExtendedKeyUsage::from_der(bytes)
                .map_err(err)?
                .0
                .iter()
                .map(|oid| {
                    let oid = oid.to_string();
                    KeyPurpose {
                        name: purpose_name(&oid).map(str::to_owned),
                        oid,
                    }
                })
                .collect(),
        },
        "2.5.29.17" => ExtensionValue::SubjectAltName {
            names: general_names(bytes)?,
        },
        "2.5.29.18" => ExtensionValue::IssuerAltName {
            names: general_names(bytes)?,
        },
        "2.5.29.19" => {
            let (ca, path_len) = basic_constraints(bytes)?;
            ExtensionValue::BasicConstraints { ca, path_len }
        }
        "2.5.29.14" => ExtensionValue::SubjectKeyIdentifier {
            key_id: hex::encode(
                SubjectKeyIdentifier::from_der(bytes)
                    .map_err(err)?
                    .0
                    .as_bytes(),
            ),
        },
        "2.5.29.35" => {
            let aki = AuthorityKeyIdentifier::from_der(bytes).map_err(err)?;
            ExtensionValue::AuthorityKeyIdentifier {
                key_id: aki.key_identifier.map(|k| hex::encode(k.as_bytes())),
                issuer: aki
                    .authority_cert_issuer
                    .iter()
                    .flatten()
                    .map(GeneralNameDetails::from_general_name)
                    .collect(),
                serial: aki
                    .authority_cert_serial_number
                    .map(|s| super::serial_hex(s.as_bytes())),
            }
        }
        "2.5.29.31" | "2.5.29.46" => {
            let points = CrlDistributionPoints::from_der(bytes).map_err(err)?;
            let mut uris = Vec::new();
            let mut other_names = Vec::new();
            for point in &points.0 {
                if let Some(DistributionPointName::FullName(names)) = &point.distribution_point {
                    for name in names {
                        match name {
                            GeneralName::UniformResourceIdentifier(uri) => {
                                uris.push(uri.to_string())
                            }
                            other => other_names.push(GeneralNameDetails::from_general_name(other)),
                        }
                    }
                }
            }
            if oid == "2.5.29.31" {
                ExtensionValue::CrlDistributionPoints { uris, other_names }
            } else {
                ExtensionValue::FreshestCrl { uris, other_names }
            }
        }
        "1.3.6.1.5.5.7.1.1" => {
            let aia = AuthorityInfoAccessSyntax::from_der(bytes).map_err(err)?;
            let mut ocsp = Vec::new();
            let mut ca_issuers = Vec::new();
            for access in &aia.0 {
                let GeneralName::UniformResourceIdentifier(uri) = &access.access_location else {
                    continue;
                };
                match access.access_method.to_string().as_str() {
                    "1.3.6.1.5.5.7.48.1" => ocsp.push(uri.to_string()),
                    "1.3.6.1.5.5.7.48.2" => ca_issuers.push(uri.to_string()),
                    _ => {}
                }
            }
            ExtensionValue::AuthorityInfoAccess { ocsp, ca_issuers }
        }
        "2.5.29.32" => {
            let policies = CertificatePolicies::from_der(bytes).map_err(err)?;
            let mut cps_uris = Vec::new();
            for qualifier in policies
                .0
                .iter()
                .flat_map(|p| p.policy_qualifiers.iter().flatten())
            {
                if qualifier.policy_qualifier_id.to_string() == "1.3.6.1.5.5.7.2.1"
                    && let Some(q) = &qualifier.qualifier
                {
                    cps_uris.push(String::from_utf8_lossy(q.value()).into_owned());
                }
            }
            ExtensionValue::CertificatePolicies {
                policies: policies
                    .0
                    .iter()
                    .map(|p| p.policy_identifier.to_string())
                    .collect(),
                cps_uris,
            }
        }
        _ => return Ok(None),
    }))
}

fn general_names(bytes: &[u8]) -> Result<Vec<GeneralNameDetails>, String> {
    let names = Vec::<GeneralName>::from_der(bytes).map_err(|e| e.to_string())?;
    Ok(names
        .iter()
        .map(GeneralNameDetails::from_general_name)
        .collect())
}

/// `KeyUsage ::= BIT STRING` (RFC 5280 §4.2.1.3), read leniently: bit 0 is the high bit of the
/// first octet; trailing zero bits and unused-bit counts are not held against the issuer.
fn key_usage(bytes: &[u8]) -> Result<Vec<KeyUsageBit>, String> {
    let (tlv, rest) = ber::read(bytes).map_err(str::to_owned)?;
    if tlv.first != 0x03 || !rest.is_empty() {
        return Err("keyUsage is not a BIT STRING".to_owned());
    }
    let (&unused, bits) = tlv.contents.split_first().ok_or("empty BIT STRING")?;
    if unused > 7 {
        return Err("bad unused-bits count".to_owned());
    }
    Ok(KeyUsageBit::ALL
        .into_iter()
        .enumerate()
        .filter(|(i, _)| bits.get(i / 8).is_some_and(|b| b & (0x80 >> (i % 8)) != 0))
        .map(|(_, bit)| bit)
        .collect())
}

/// `BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL }`
/// (RFC 5280 §4.2.1.9), read leniently (an explicit FALSE, a large pathLen).
fn basic_constraints(bytes: &[u8]) -> Result<(bool, Option<u32>), String> {
    let (seq, rest) = ber::read(bytes).map_err(str::to_owned)?;
    if seq.first != 0x30 || !rest.is_empty() {
        return Err("basicConstraints is not a SEQUENCE".to_owned());
    }
    let mut ca = false;
    let mut path_len = None;
    for item in seq.children() {
        let item = item.map_err(str::to_owned)?;
        match item.first {
            0x01 => ca = item.contents.iter().any(|b| *b != 0),
            0x02 => {
                if item.contents.first().is_some_and(|b| b & 0x80 != 0) {
                    return Err("negative pathLenConstraint".to_owned());
                }
                let digits: Vec<u8> = item
                    .contents
                    .iter()
                    .copied()
                    .skip_while(|b| *b == 0)
                    .collect();
                if digits.len() > 4 {
                    return Err("pathLenConstraint too large".to_owned());
                }
                path_len = Some(
                    digits
                        .iter()
                        .fold(0u32, |acc, b| (acc << 8) | u32::from(*b)),
                );
            }
            _ => return Err("unexpected element in basicConstraints".to_owned()),
        }
    }
    Ok((ca, path_len))
}

/// Stable identifiers for well-known key purposes (RFC 5280 §4.2.1.12, RFC 4945, RFC 9336,
/// Microsoft's documented OIDs).
fn purpose_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.5.29.37.0" => "any",
        "1.3.6.1.5.5.7.3.1" => "server_auth",
        "1.3.6.1.5.5.7.3.2" => "client_auth",
        "1.3.6.1.5.5.7.3.3" => "code_signing",
        "1.3.6.1.5.5.7.3.4" => "email_protection",
        "1.3.6.1.5.5.7.3.5" => "ipsec_end_system",
        "1.3.6.1.5.5.7.3.6" => "ipsec_tunnel",
        "1.3.6.1.5.5.7.3.7" => "ipsec_user",
        "1.3.6.1.5.5.7.3.8" => "time_stamping",
        "1.3.6.1.5.5.7.3.9" => "ocsp_signing",
        "1.3.6.1.5.5.7.3.17" => "ipsec_ike",
        "1.3.6.1.5.5.7.3.36" => "document_signing",
        "1.3.6.1.4.1.311.20.2.2" => "ms_smartcard_logon",
        "1.3.6.1.4.1.311.10.3.4" => "ms_efs",
        "1.3.6.1.4.1.311.10.3.12" => "ms_document_signing",
        "1.3.6.1.4.1.311.10.3.3" => "ms_server_gated_crypto",
        "2.16.840.1.113730.4.1" => "netscape_server_gated_crypto",
        "1.3.6.1.5.2.3.5" => "kerberos_kdc",
        _ => return None,
    })
}
