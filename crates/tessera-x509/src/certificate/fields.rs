//! Every detail as a flat list of labelled values, so a UI can show and copy any one of them.
//!
//! Keys are stable identifiers (`subject.cn`, `serial`, `thumbprint.sha256`); the words shown
//! for them come from the client's Fluent files, never from this crate. Values that are one of
//! a fixed set (statuses, key usage bits, general-name forms) are stable identifiers too.

use serde::Serialize;

use super::details::CertificateDetails;
use super::extensions::{ExtensionDetails, ExtensionValue, GeneralNameDetails, GeneralNameKind};
use super::name::NameDetails;

/// One labelled value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Field {
    /// Stable identifier of what this is (`subject.cn`, `extension.subject_alt_name`...).
    pub key: &'static str,
    /// The value as text.
    pub value: String,
    /// Refines a key that covers several things: the general-name form (`dns`, `email`...) of
    /// a name in an extension, the OID of a key purpose, of an other name attribute, or of an
    /// extension this model does not decode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qualifier: Option<String>,
    /// For a value from an extension, whether that extension is critical.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub critical: Option<bool>,
}

impl Field {
    fn new(key: &'static str, value: impl Into<String>) -> Self {
        Field {
            key,
            value: value.into(),
            qualifier: None,
            critical: None,
        }
    }
}

impl CertificateDetails {
    /// Every field, in the order a details view lists them.
    pub fn fields(&self) -> Vec<Field> {
        let mut out = vec![
            Field::new("version", self.version.to_string()),
            Field::new("serial", &self.serial),
        ];
        let sig = &self.signature_algorithm;
        out.push(Field::new("signature_algorithm", &sig.name));
        out.push(Field::new("signature_algorithm.oid", &sig.oid));
        if let Some(hash) = &sig.hash {
            out.push(Field::new("signature_algorithm.hash", hash));
        }
        name_fields(&mut out, &self.issuer, ISSUER_KEYS);
        name_fields(&mut out, &self.subject, SUBJECT_KEYS);
        out.push(Field::new("self_issued", self.self_issued.to_string()));
        let v = &self.validity;
        out.push(Field::new("validity.not_before", &v.not_before));
        out.push(Field::new("validity.not_after", &v.not_after));
        out.push(Field::new("validity.status", v.status.id()));
        out.push(Field::new(
            "validity.days_remaining",
            v.days_remaining.to_string(),
        ));
        out.push(Field::new("kind.usage", self.kind.usage.id()));
        out.push(Field::new("kind.authority", self.kind.authority.id()));
        if let Some(n) = self.kind.path_len {
            out.push(Field::new("kind.path_len", n.to_string()));
        }
        let pk = &self.public_key;
        out.push(Field::new("public_key.algorithm", pk.algorithm.name()));
        out.push(Field::new("public_key.oid", &pk.oid));
        if let Some(bits) = pk.bits {
            out.push(Field::new("public_key.bits", bits.to_string()));
        }
        if let Some(curve) = &pk.curve {
            out.push(Field::new("public_key.curve", curve));
        }
        out.push(Field::new("public_key.value", &pk.value_hex));
        for ext in &self.extensions {
            extension_fields(&mut out, ext);
        }
        let t = &self.thumbprints;
        out.push(Field::new("thumbprint.sha1", &t.sha1));
        out.push(Field::new("thumbprint.sha256", &t.sha256));
        out.push(Field::new("thumbprint.sm3", &t.sm3));
        out.push(Field::new("thumbprint.md5", &t.md5));
        out
    }
}

/// Keys for one name: whole, CN, O, OU, C, ST, L, E, any other attribute.
type NameKeys = [&'static str; 9];
const SUBJECT_KEYS: NameKeys = [
    "subject",
    "subject.cn",
    "subject.o",
    "subject.ou",
    "subject.c",
    "subject.st",
    "subject.l",
    "subject.email",
    "subject.attribute",
];
const ISSUER_KEYS: NameKeys = [
    "issuer",
    "issuer.cn",
    "issuer.o",
    "issuer.ou",
    "issuer.c",
    "issuer.st",
    "issuer.l",
    "issuer.email",
    "issuer.attribute",
];

fn name_fields(out: &mut Vec<Field>, name: &NameDetails, keys: NameKeys) {
    let [whole, cn, o, ou, c, st, l, email, other] = keys;
    out.push(Field::new(whole, &name.rfc4514));
    for (key, values) in [
        (cn, &name.cn),
        (o, &name.o),
        (ou, &name.ou),
        (c, &name.c),
        (st, &name.st),
        (l, &name.l),
    ] {
        out.extend(values.iter().map(|v| Field::new(key, v)));
    }
    out.extend(name.email.iter().map(|v| Field::new(email, v)));
    const COMPONENTS: [&str; 7] = [
        "2.5.4.3",
        "2.5.4.10",
        "2.5.4.11",
        "2.5.4.6",
        "2.5.4.8",
        "2.5.4.7",
        "1.2.840.113549.1.9.1",
    ];
    for attr in name
        .attributes
        .iter()
        .filter(|a| !COMPONENTS.contains(&a.oid.as_str()))
    {
        out.push(Field {
            qualifier: Some(attr.short_name.clone().unwrap_or_else(|| attr.oid.clone())),
            ..Field::new(other, &attr.value)
        });
    }
}

fn extension_fields(out: &mut Vec<Field>, ext: &ExtensionDetails) {
    let field = |key: &'static str, value: String, qualifier: Option<String>| Field {
        key,
        value,
        qualifier,
        critical: Some(ext.critical),
    };
    let names = |out: &mut Vec<Field>, key: &'static str, names: &[GeneralNameDetails]| {
        out.extend(
            names
                .iter()
                .map(|n| field(key, n.value.clone(), Some(kind_id(n.kind).to_owned()))),
        );
    };
    match &ext.value {
        ExtensionValue::KeyUsage { usages } => {
            let ids: Vec<&str> = usages.iter().map(|u| u.id()).collect();
            out.push(field("extension.key_usage", ids.join(", "), None));
        }
        ExtensionValue::ExtendedKeyUsage { purposes } => out.extend(purposes.iter().map(|p| {
            field(
                "extension.extended_key_usage",
                p.name.clone().unwrap_or_else(|| p.oid.clone()),
                Some(p.oid.clone()),
            )
        })),
        ExtensionValue::SubjectAltName { names: n } => names(out, "extension.subject_alt_name", n),
        ExtensionValue::IssuerAltName { names: n } => names(out, "extension.issuer_alt_name", n),
        ExtensionValue::BasicConstraints { ca, path_len } => {
            out.push(field(
                "extension.basic_constraints.ca",
                ca.to_string(),
                None,
            ));
            if let Some(n) = path_len {
                out.push(field(
                    "extension.basic_constraints.path_len",
                    n.to_string(),
                    None,
                ));
            }
        }
        ExtensionValue::SubjectKeyIdentifier { key_id } => {
            out.push(field(
                "extension.subject_key_identifier",
                key_id.clone(),
                None,
            ));
        }
        ExtensionValue::AuthorityKeyIdentifier {
            key_id,
            issuer,
            serial,
        } => {
            if let Some(k) = key_id {
                out.push(field("extension.authority_key_identifier", k.clone(), None));
            }
            names(out, "extension.authority_key_identifier.issuer", issuer);
            if let Some(s) = serial {
                out.push(field(
                    "extension.authority_key_identifier.serial",
                    s.clone(),
                    None,
                ));
            }
        }
        ExtensionValue::CrlDistributionPoints { uris, other_names } => {
            out.extend(uris.iter().map(|u| {
                field(
                    "extension.crl_distribution_points",
                    u.clone(),
                    Some("uri".to_owned()),
                )
            }));
            names(out, "extension.crl_distribution_points", other_names);
        }
        ExtensionValue::FreshestCrl { uris, other_names } => {
            out.extend(
                uris.iter()
                    .map(|u| field("extension.freshest_crl", u.clone(), Some("uri".to_owned()))),
            );
            names(out, "extension.freshest_crl", other_names);
        }
        ExtensionValue::AuthorityInfoAccess { ocsp, ca_issuers } => {
            out.extend(
                ocsp.iter()
                    .map(|u| field("extension.authority_info_access.ocsp", u.clone(), None)),
            );
            out.extend(ca_issuers.iter().map(|u| {
                field(
                    "extension.authority_info_access.ca_issuers",
                    u.clone(),
                    None,
                )
            }));
        }
        ExtensionValue::CertificatePolicies { policies, cps_uris } => {
            out.extend(
                policies
                    .iter()
                    .map(|p| field("extension.certificate_policies", p.clone(), None)),
            );
            out.extend(
                cps_uris
                    .iter()
                    .map(|u| field("extension.certificate_policies.cps", u.clone(), None)),
            );
        }
        ExtensionValue::Other { value_hex, .. } => {
            out.push(field(
                "extension.other",
                value_hex.clone(),
                Some(ext.oid.clone()),
            ));
        }
        ExtensionValue::Malformed { value_hex, .. } => {
            out.push(field(
                "extension.malformed",
                value_hex.clone(),
                Some(ext.oid.clone()),
            ));
        }
    }
}

/// Stable identifier of a general-name form, as in JSON.
pub(super) fn kind_id(kind: GeneralNameKind) -> &'static str {
    match kind {
        GeneralNameKind::OtherName => "other_name",
        GeneralNameKind::Email => "email",
        GeneralNameKind::Dns => "dns",
        GeneralNameKind::Directory => "directory",
        GeneralNameKind::EdiParty => "edi_party",
        GeneralNameKind::Uri => "uri",
        GeneralNameKind::Ip => "ip",
        GeneralNameKind::RegisteredId => "registered_id",
    }
}
