//! First start: the holder chooses a line of business, and before the certificate business is
//! entered the first time, accepts the privacy notice. Both are remembered in the settings.

use crate::app::{App, Result};
use crate::settings::BusinessType;

/// Version of the privacy notice the app shows. Raising it asks every holder again.
pub const PRIVACY_VERSION: u32 = 1;

/// The service desk's e-mail address, shown under About.
pub const SUPPORT_EMAIL: &str = "support@tessera.example";
/// The service desk's hotline, shown under About.
pub const SUPPORT_HOTLINE: &str = "400-800-8000";

/// Where the holder stands, and so which screen comes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stage {
    /// No business chosen yet (first start, or "return to start").
    ChooseBusiness,
    /// The certificate business is chosen but this version of the privacy notice is not
    /// accepted: nothing proceeds until it is.
    PrivacyConsent,
    /// In the certificate business.
    Certificate,
    /// In the cloud-key business.
    CloudKey,
}

impl App {
    /// The holder's stage, from the settings.
    pub fn stage(&self) -> Stage {
        let s = self.settings();
        match s.business {
            None => Stage::ChooseBusiness,
            Some(BusinessType::Certificate) if s.privacy_accepted < Some(PRIVACY_VERSION) => {
                Stage::PrivacyConsent
            }
            Some(BusinessType::Certificate) => Stage::Certificate,
            Some(_) => Stage::CloudKey,
        }
    }

    /// Remembers the business the holder chose.
    pub fn choose_business(&mut self, business: BusinessType) -> Result<()> {
        self.set_setting("business", business.as_str())
    }

    /// Records that the holder accepted the privacy notice of [`PRIVACY_VERSION`].
    pub fn accept_privacy(&mut self) -> Result<()> {
        self.set_setting("privacy-accepted", &PRIVACY_VERSION.to_string())
    }

    /// Back to the business choice; the accepted privacy notice stays accepted.
    pub fn return_to_start(&mut self) -> Result<()> {
        self.set_setting("business", "none")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[test]
    fn stages_follow_choice_and_consent() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = App::open(Some(dir.path())).unwrap();
        assert_eq!(app.stage(), Stage::ChooseBusiness);
        app.choose_business(BusinessType::Certificate).unwrap();
        assert_eq!(app.stage(), Stage::PrivacyConsent);
        app.accept_privacy().unwrap();
        assert_eq!(app.stage(), Stage::Certificate);
        app.return_to_start().unwrap();
        assert_eq!(app.stage(), Stage::ChooseBusiness);
        app.choose_business(BusinessType::CloudKey).unwrap();
        assert_eq!(app.stage(), Stage::CloudKey);
        // Remembered across runs.
        let again = App::open(Some(dir.path())).unwrap();
        assert_eq!(again.stage(), Stage::CloudKey);
        assert_eq!(again.settings().privacy_accepted, Some(PRIVACY_VERSION));
    }
}
