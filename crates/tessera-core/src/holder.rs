//! The holder's flows over media, as the web UI offers them: the overview of every medium with
//! its certificates and their status, one certificate with its chain status, deleting a
//! certificate under the PIN (the PIN cache first), and changing a PIN with a confirmation and a
//! strength check.

use tessera_media::{CertEntry, Medium, MediumError, MediumInfo, Pin};
use tessera_x509::certificate::{NameDetails, ValidityStatus};
use tessera_x509::{
    Certificate, CertificateDetails, ChainError, Field, TrustStore, ValidationOptions,
};
use time::OffsetDateTime;

use crate::app::{App, AppError, Result, find_certificate};

/// Shortest PIN the app lets a holder choose.
pub const MIN_PIN_LEN: usize = 6;

/// One certificate as the home list shows it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CertificateSummary {
    /// SHA-256 thumbprint, lowercase hex: the certificate's address in the UI.
    pub sha256: String,
    /// The subject's common name, else the whole subject (RFC 4514).
    pub subject: String,
    /// The issuer's common name, else the whole issuer.
    pub issuer: String,
    /// notAfter, RFC 3339.
    pub not_after: String,
    /// Validity status now.
    pub status: ValidityStatus,
    /// Whether the private key is on the medium.
    pub has_key: bool,
}

/// One medium with its certificates, or why they could not be read.
#[derive(Debug)]
#[non_exhaustive]
pub struct MediumOverview {
    /// The device file or the token's PKCS#11 URI.
    pub location: String,
    /// What the medium says about itself, or why it cannot be read.
    pub info: Result<MediumInfo, MediumError>,
    /// Its certificates, soonest to expire first.
    pub certificates: Vec<CertificateSummary>,
    /// Why the certificates could not be listed, if they could not.
    pub problem: Option<AppError>,
}

/// Whether a certificate chains to a trusted root.
#[derive(Debug)]
#[non_exhaustive]
pub enum ChainStatus {
    /// It does: the subjects from the certificate up to the root.
    Valid {
        /// The subjects, leaf first.
        path: Vec<String>,
    },
    /// It does not, and why.
    Invalid(ChainError),
    /// The system's trusted roots could not be read.
    NoTrustStore {
        /// Why.
        reason: String,
    },
}

/// Everything the details screen shows about one certificate.
#[derive(Debug)]
#[non_exhaustive]
pub struct CertificateView {
    /// The medium it is on.
    pub medium: MediumInfo,
    /// The details model.
    pub details: CertificateDetails,
    /// Every field, in display order.
    pub fields: Vec<Field>,
    /// Chain status against the system's roots, with the medium's other certificates as
    /// intermediates.
    pub chain: ChainStatus,
    /// Whether the private key is on the medium.
    pub has_key: bool,
}

/// Why a new PIN is refused as too easy to guess.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PinWeakness {
    /// Shorter than [`MIN_PIN_LEN`].
    TooShort {
        /// The shortest length accepted.
        min: usize,
    },
    /// One character repeated (`000000`).
    Repeated,
    /// A run up or down (`123456`, `987654`, `abcdef`).
    Sequence,
}

/// How hard a PIN is to guess, for the hint under the new-PIN field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PinStrength {
    /// Refused, and why.
    Weak(PinWeakness),
    /// Accepted: digits only, or short.
    Fair,
    /// Accepted: at least 8 characters mixing letters and digits or other characters.
    Strong,
}

/// Rates `pin`. Refuses short PINs, repeated characters and straight runs: the first guesses of
/// anyone holding a found USB key.
pub fn pin_strength(pin: &Pin) -> PinStrength {
    let bytes = pin.expose();
    if pin.char_len() < MIN_PIN_LEN {
        return PinStrength::Weak(PinWeakness::TooShort { min: MIN_PIN_LEN });
    }
    if bytes.iter().all(|b| *b == bytes[0]) {
        return PinStrength::Weak(PinWeakness::Repeated);
    }
    let steps: Vec<i16> = bytes
        .windows(2)
        .map(|w| i16::from(w[1]) - i16::from(w[0]))
        .collect();
    if steps.iter().all(|s| *s == 1) || steps.iter().all(|s| *s == -1) {
        return PinStrength::Weak(PinWeakness::Sequence);
    }
    let digits = bytes.iter().any(u8::is_ascii_digit);
    let others = bytes.iter().any(|b| !b.is_ascii_digit());
    if pin.char_len() >= 8 && digits && others {
        PinStrength::Strong
    } else {
        PinStrength::Fair
    }
}

/// The one PIN policy for every new PIN (a new device, a changed or unlocked PIN), whichever
/// face asks: refuses what [`pin_strength`] rates weak.
pub fn check_new_pin(pin: &Pin) -> Result<()> {
    match pin_strength(pin) {
        PinStrength::Weak(weakness) => Err(AppError::WeakPin { weakness }),
        PinStrength::Fair | PinStrength::Strong => Ok(()),
    }
}

fn display_name(name: &NameDetails) -> String {
    name.cn
        .first()
        .cloned()
        .unwrap_or_else(|| name.rfc4514.clone())
}

fn summary(entry: &CertEntry, now: OffsetDateTime) -> CertificateSummary {
    let d = entry.certificate.details(now);
    CertificateSummary {
        sha256: d.thumbprints.sha256.clone(),
        subject: display_name(&d.subject),
        issuer: display_name(&d.issuer),
        not_after: d.validity.not_after.clone(),
        status: d.validity.status,
        has_key: entry.key.is_some(),
    }
}

impl App {
    /// Every medium the client sees, each with its certificates (soonest to expire first).
    /// A medium that cannot be read is listed with its error rather than left out.
    pub fn overview(&self, now: OffsetDateTime) -> Result<Vec<MediumOverview>> {
        Ok(self
            .media()?
            .into_iter()
            .map(|listing| {
                let location = listing.location.display().to_string();
                let (certificates, problem) = match &listing.info {
                    Ok(info) => match self
                        .open_medium(&info.serial)
                        .and_then(|m| Ok(m.certificates()?))
                    {
                        Ok(entries) => {
                            let mut list: Vec<CertificateSummary> =
                                entries.iter().map(|e| summary(e, now)).collect();
                            list.sort_by(|a, b| a.not_after.cmp(&b.not_after));
                            (list, None)
                        }
                        Err(e) => (Vec::new(), Some(e)),
                    },
                    Err(_) => (Vec::new(), None),
                };
                MediumOverview {
                    location,
                    info: listing.info,
                    certificates,
                    problem,
                }
            })
            .collect())
    }

    /// What the medium `medium` (label or serial) says about itself.
    pub fn medium_info(&self, medium: &str) -> Result<MediumInfo> {
        Ok(self.open_medium(medium)?.info()?)
    }

    /// The certificate on `medium` whose thumbprint starts with `selector`, with its details and
    /// chain status.
    pub fn certificate_view(
        &self,
        medium: &str,
        selector: &str,
        now: OffsetDateTime,
    ) -> Result<CertificateView> {
        let opened = self.open_medium(medium)?;
        let entry = find_certificate(&opened, selector)?;
        let others: Vec<Vec<u8>> = opened
            .certificates()?
            .into_iter()
            .filter(|c| c.reference != entry.reference)
            .map(|c| c.certificate.der().to_vec())
            .collect();
        let chain = match TrustStore::system() {
            Ok(store) => match tessera_x509::validate(
                entry.certificate.der(),
                &others,
                &store,
                &ValidationOptions::new().at(now),
            ) {
                Ok(valid) => ChainStatus::Valid {
                    path: valid
                        .certificates
                        .iter()
                        .filter_map(|der| Certificate::from_der(der).ok())
                        .map(|c| display_name(&c.details(now).subject))
                        .collect(),
                },
                Err(e) => ChainStatus::Invalid(e),
            },
            Err(e) => ChainStatus::NoTrustStore {
                reason: e.to_string(),
            },
        };
        let details = entry.certificate.details(now);
        Ok(CertificateView {
            medium: opened.info()?,
            fields: details.fields(),
            details,
            chain,
            has_key: entry.key.is_some(),
        })
    }

    /// Deletes the certificate on `medium` whose thumbprint starts with `selector`, after a
    /// check of `pin`, needed every time: a cached PIN does not stand in for it. A wrong PIN
    /// comes back as [`MediumError::PinIncorrect`] with the retries left; no PIN as
    /// [`AppError::PinUnavailable`]. The key stays (a file device drops a key no certificate
    /// uses any more by itself).
    pub fn delete_certificate(
        &mut self,
        medium: &str,
        selector: &str,
        pin: Option<Pin>,
    ) -> Result<CertEntry> {
        let mut opened = self.open_medium(medium)?;
        let entry = find_certificate(&opened, selector)?;
        let mut pin = pin;
        self.delete_from(&mut opened, &entry, false, &mut || {
            pin.take().ok_or_else(|| AppError::PinUnavailable {
                reason: "no PIN entered".to_owned(),
            })
        })?;
        Ok(entry)
    }

    /// Changes the PIN of `medium` from `old` to `new`, once `confirm` matches `new` and `new`
    /// is not too easy to guess. The cached PIN of the medium is dropped either way.
    pub fn change_pin(&mut self, medium: &str, old: &Pin, new: &Pin, confirm: &Pin) -> Result<()> {
        if new.expose() != confirm.expose() {
            return Err(AppError::PinMismatch);
        }
        check_new_pin(new)?;
        let mut opened = self.open_medium(medium)?;
        let serial = opened.info()?.serial;
        let result = opened.change_pin(old, new);
        self.forget_pin(&opened)?;
        match &result {
            Ok(()) => self.log(&format!("PIN changed: medium {serial}")),
            Err(e) => self.log(&format!("PIN change refused: medium {serial}: {e}")),
        }
        Ok(result?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_pins_are_refused_with_the_reason() {
        let s = |p: &str| pin_strength(&Pin::new(p));
        assert_eq!(
            s("12345"),
            PinStrength::Weak(PinWeakness::TooShort { min: 6 })
        );
        assert_eq!(s("000000"), PinStrength::Weak(PinWeakness::Repeated));
        assert_eq!(s("123456"), PinStrength::Weak(PinWeakness::Sequence));
        assert_eq!(s("987654"), PinStrength::Weak(PinWeakness::Sequence));
        assert_eq!(s("24680135"), PinStrength::Fair);
        assert_eq!(s("k3y-h0lder"), PinStrength::Strong);
    }
}
