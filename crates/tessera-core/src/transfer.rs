//! Certificates and keys onto a medium and off it: import from PKCS#12 (RFC 7292), from a
//! certificate file with a separate key file (PKCS#8, RFC 5958, or SEC 1), or from PEM/DER
//! holding either; export as PEM or PKCS#12; deletion with the key it leaves unused.

use secrecy::SecretString;
use tessera_media::{CertEntry, Medium, Pin};

use crate::app::{App, AppError, Result, find_certificate};

/// What an import reads.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum ImportSource<'a> {
    /// A PKCS#12 file and its password.
    Pkcs12 {
        /// The file's bytes.
        bytes: &'a [u8],
        /// Its password.
        password: &'a SecretString,
    },
    /// Certificates (PEM or DER) with their key in a separate file.
    WithKey {
        /// The certificates' bytes.
        certificates: &'a [u8],
        /// The key file's bytes.
        key: &'a [u8],
    },
    /// PEM or DER holding certificates, a key, or both.
    Pem(&'a [u8]),
}

/// Whether a file's name says PKCS#12 (`.p12`, `.pfx`, any case).
pub fn is_pkcs12_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [".p12", ".pfx"].iter().any(|ext| name.ends_with(ext))
}

impl App {
    /// Imports `source` onto `medium` (keys marked exportable or not), logging in with the
    /// cached PIN or the one `ask` gives; returns the certificates now on the medium. Input
    /// that is neither certificate nor key is refused before the PIN is asked for.
    pub fn import(
        &mut self,
        medium: &mut dyn Medium,
        source: ImportSource<'_>,
        exportable: bool,
        ask: &mut dyn FnMut() -> Result<Pin>,
    ) -> Result<Vec<CertEntry>> {
        let refused = |source| AppError::NotImportable { source };
        Ok(match source {
            ImportSource::Pkcs12 { bytes, password } => {
                self.login(medium, ask)?;
                tessera_media::pkcs12::import_pkcs12(medium, bytes, password, exportable)?
                    .into_iter()
                    .flat_map(|(_, certs)| certs)
                    .collect()
            }
            ImportSource::WithKey { certificates, key } => {
                let certs = tessera_x509::parse_certificates(certificates).map_err(refused)?;
                let pkcs8 = tessera_media::pkcs8_from_key_file(key)?;
                self.login(medium, ask)?;
                let ders: Vec<Vec<u8>> = certs.iter().map(|c| c.der().to_vec()).collect();
                medium.import_key(&pkcs8, &ders, exportable)?.1
            }
            ImportSource::Pem(bytes) => {
                if let Err(e) = tessera_x509::parse_certificates(bytes)
                    && tessera_media::pkcs8_from_key_file(bytes).is_err()
                {
                    return Err(refused(e));
                }
                self.login(medium, ask)?;
                tessera_media::pkcs12::import_pem(medium, bytes, exportable)?.1
            }
        })
    }

    /// The certificate `selector` names as PKCS#12 under `password`, with its key when
    /// `with_key` (after logging in: the key leaves the medium only if it is exportable).
    pub fn export_pkcs12(
        &mut self,
        medium: &mut dyn Medium,
        selector: &str,
        password: &SecretString,
        with_key: bool,
        ask: &mut dyn FnMut() -> Result<Pin>,
    ) -> Result<Vec<u8>> {
        let entry = find_certificate(medium, selector)?;
        if with_key {
            self.login(medium, ask)?;
        }
        Ok(tessera_media::pkcs12::export_pkcs12(
            medium,
            &entry.reference,
            password,
            with_key,
        )?)
    }

    /// Deletes `entry` from `medium` and, with `with_key`, its key if still there, after the
    /// PIN `ask` gives: a cached PIN does not stand in (deleting is the one operation the
    /// holder confirms with the PIN each time). A file device drops a key no certificate uses
    /// on its own; a token keeps it. Refusals and deletions go to the log.
    pub fn delete_from(
        &mut self,
        medium: &mut dyn Medium,
        entry: &CertEntry,
        with_key: bool,
        ask: &mut dyn FnMut() -> Result<Pin>,
    ) -> Result<()> {
        let serial = medium.info()?.serial;
        if let Err(e) = self.login_asking(medium, ask) {
            self.log(&format!("certificate delete refused: medium {serial}: {e}"));
            return Err(e);
        }
        medium.delete_certificate(&entry.reference)?;
        if let (true, Some(key)) = (with_key, &entry.key)
            && medium.keys()?.iter().any(|k| k.reference == *key)
        {
            medium.delete_key(key)?;
        }
        self.log(&format!(
            "certificate deleted: medium {serial}, {}",
            entry.reference
        ));
        Ok(())
    }
}
