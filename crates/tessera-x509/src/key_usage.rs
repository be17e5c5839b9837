//! The keyUsage extension's bits (RFC 5280 §4.2.1.3), shared by the details model and chain
//! validation.

/// A bit of the keyUsage extension (RFC 5280 §4.2.1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyUsageBit {
    /// digitalSignature (0): signatures other than on certificates and CRLs.
    DigitalSignature,
    /// nonRepudiation / contentCommitment (1): signatures meant as commitment to content.
    NonRepudiation,
    /// keyEncipherment (2).
    KeyEncipherment,
    /// dataEncipherment (3).
    DataEncipherment,
    /// keyAgreement (4).
    KeyAgreement,
    /// keyCertSign (5): verifying signatures on certificates.
    KeyCertSign,
    /// cRLSign (6): verifying signatures on CRLs.
    CrlSign,
    /// encipherOnly (7).
    EncipherOnly,
    /// decipherOnly (8).
    DecipherOnly,
}

impl KeyUsageBit {
    /// Every bit, in bit order.
    pub const ALL: [Self; 9] = [
        Self::DigitalSignature,
        Self::NonRepudiation,
        Self::KeyEncipherment,
        Self::DataEncipherment,
        Self::KeyAgreement,
        Self::KeyCertSign,
        Self::CrlSign,
        Self::EncipherOnly,
        Self::DecipherOnly,
    ];

    /// Stable identifier, as in JSON (`digital_signature`).
    pub fn id(self) -> &'static str {
        match self {
            Self::DigitalSignature => "digital_signature",
            Self::NonRepudiation => "non_repudiation",
            Self::KeyEncipherment => "key_encipherment",
            Self::DataEncipherment => "data_encipherment",
            Self::KeyAgreement => "key_agreement",
            Self::KeyCertSign => "key_cert_sign",
            Self::CrlSign => "crl_sign",
            Self::EncipherOnly => "encipher_only",
            Self::DecipherOnly => "decipher_only",
        }
    }

    /// Position in the BIT STRING (0 = digitalSignature).
    pub fn bit(self) -> u8 {
        match self {
            Self::DigitalSignature => 0,
            Self::NonRepudiation => 1,
            Self::KeyEncipherment => 2,
            Self::DataEncipherment => 3,
            Self::KeyAgreement => 4,
            Self::KeyCertSign => 5,
            Self::CrlSign => 6,
            Self::EncipherOnly => 7,
            Self::DecipherOnly => 8,
        }
    }

    /// The ASN.1 name, e.g. `digitalSignature`.
    pub fn name(self) -> &'static str {
        match self {
            Self::DigitalSignature => "digitalSignature",
            Self::NonRepudiation => "nonRepudiation",
            Self::KeyEncipherment => "keyEncipherment",
            Self::DataEncipherment => "dataEncipherment",
            Self::KeyAgreement => "keyAgreement",
            Self::KeyCertSign => "keyCertSign",
            Self::CrlSign => "cRLSign",
            Self::EncipherOnly => "encipherOnly",
            Self::DecipherOnly => "decipherOnly",
        }
    }

    /// The bit with ASN.1 name `name` (case-sensitive, as in RFC 5280).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.name() == name)
    }
}

impl std::fmt::Display for KeyUsageBit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
