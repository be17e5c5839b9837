//! The media conformance suite (`tessera-media/tests/conformance/suite.rs`) run against a cloud
//! key: a real cloud-key service on 127.0.0.1 (the `tessera-server` library on a random port in
//! this process), each fresh medium a new account applied for, approved by the operator through
//! the admin API and downloaded into its own data folder, then opened as a `CloudKey` medium.
//! `openssl` is the outside oracle for signatures and ciphertexts, as for every medium.

use crate::support;

use crate::suite;

use suite::{Profile, conformance};
use support::service::Service;
use tessera_core::cloud::Cloud;
use tessera_media::Medium as _;
use tessera_proto::cloud::{AccountApplication, Password};

const PASSWORD: &str = "cloud pass 2026";

const CLOUD_KEY: Profile = Profile {
    pin: PASSWORD,
    new_pin: "changed pass 77",
    no_exact_lockout: Some(
        "the service does not say how many tries are left (unknown and known users get the same \
         answer); it locks password login after five wrong ones, tested in the service's tests",
    ),
    no_so_unlock: Some(
        "a cloud account has no SO PIN: it unlocks at the service when the lock period ends, or \
         by password recovery with an SMS code",
    ),
    no_sm2: None,
    private_hidden_before_login: false,
    fixed_key: Some(
        "a cloud account has one two-party SM2 key, made at download, its certificate issued by \
         the service; no key is whole anywhere, so none is made, imported or exported here",
    ),
    no_data_objects: Some("a cloud key keeps no data objects (seal images)"),
};

fn start_service() -> Service {
    tessera::net::install();
    support::service::start(async |store, _| {
        store
            .create_organization("HOSP", "第一人民医院", 0)
            .await
            .unwrap();
    })
}

/// A new approved account at `s`, downloaded into its own data folder under `root`.
fn account(s: &Service, root: &std::path::Path, n: u32) -> Cloud {
    let user = format!("C{n:04}");
    let account = Cloud::apply(
        &s.url,
        &AccountApplication {
            org: "HOSP".into(),
            user_id: user.clone(),
            name: format!("云钥匙 {n}"),
            phone: None,
            password: Password::new(PASSWORD),
        },
    )
    .unwrap();
    s.admin(
        "POST",
        &format!("/v1/admin/cloud/accounts/{}/approve", account.id),
    );
    let cloud = Cloud::new(&root.join(&user));
    let done = cloud
        .download(&s.url, "HOSP", &user, &Password::new(PASSWORD))
        .unwrap();
    assert!(done.new_key);
    cloud
}

#[test]
fn cloud_key_passes_the_media_conformance_suite() {
    let service = start_service();
    let root = tempfile::tempdir().unwrap();
    let mut n = 0;
    conformance(CLOUD_KEY, || {
        n += 1;
        let cloud = account(&service, root.path(), n);
        let medium = tessera_core::cloud::medium::open(&cloud).unwrap();
        let info = medium.info().unwrap();
        assert_eq!(info.kind, tessera_media::MediumKind::CloudKey);
        medium
    });
}

#[test]
fn cloud_key_medium_needs_a_downloaded_account() {
    let root = tempfile::tempdir().unwrap();
    let cloud = Cloud::new(root.path());
    assert!(matches!(
        tessera_core::cloud::medium::open(&cloud),
        Err(tessera_core::cloud::CloudError::NoAccount(_))
    ));
}

/// The app core lists the active cloud account among the media, opens it by its serial (the
/// account id) and signs with it after a login with the account password.
#[test]
fn app_core_lists_and_opens_the_cloud_key() {
    let service = start_service();
    let root = tempfile::tempdir().unwrap();
    let cloud = account(&service, root.path(), 1);
    let mut app = tessera_core::app::App::open(Some(cloud.data_dir())).unwrap();
    let listed: Vec<_> = app
        .media()
        .unwrap()
        .into_iter()
        .filter_map(|m| m.info.ok())
        .filter(|i| i.kind == tessera_media::MediumKind::CloudKey)
        .collect();
    assert_eq!(listed.len(), 1);
    let serial = listed[0].serial.clone();
    assert_eq!(serial, cloud.active().unwrap().id);
    let mut medium = app.open_medium(&serial).unwrap();
    assert_eq!(medium.provider(), "cloud");
    app.login(&mut medium, &mut || Ok(tessera_media::Pin::new(PASSWORD)))
        .unwrap();
    let cert = medium.certificates().unwrap().remove(0);
    let key = cert.key.clone().unwrap();
    let sig = medium
        .sign(
            &key,
            &tessera_media::SignAlg::Sm2Sm3 { id: None },
            b"app core",
        )
        .unwrap();
    let public = cert.certificate.public_key().unwrap();
    public
        .verify(
            &tessera_crypto::public_key::VerifyAlgorithm::Sm2 {
                id: tessera_crypto::sm2::DEFAULT_ID.to_vec(),
            },
            b"app core",
            &sig,
        )
        .unwrap();
    // Certificates of every medium include the cloud key's.
    let all = app.certificates(None).unwrap();
    assert!(all.iter().any(|m| m.medium.serial == serial));
    // Without an account there is no cloud medium.
    let empty = tempfile::tempdir().unwrap();
    let app = tessera_core::app::App::open(Some(empty.path())).unwrap();
    assert!(app.media().unwrap().iter().all(|m| {
        m.info
            .as_ref()
            .map_or(true, |i| i.kind != tessera_media::MediumKind::CloudKey)
    }));
}

/// A cloud account locked by wrong passwords says so wherever it is listed (no longer "5/5
/// tries"), and its refusal and lock page speak of the service's lock and password recovery,
/// never of an SO PIN it does not have. Its tries count down on this install before that.
#[test]
fn a_locked_cloud_account_shows_its_lock_and_how_it_opens() {
    use tessera_core::failure::{Classify as _, exit};
    use tessera_core::i18n::{Lang, Localizer};
    use tessera_media::{MediumError, Pin};

    let service = start_service();
    let root = tempfile::tempdir().unwrap();
    let cloud = account(&service, root.path(), 1);
    let serial = cloud.active().unwrap().id;
    let reopen = || {
        let app = tessera_core::app::App::open(Some(cloud.data_dir())).unwrap();
        let medium = app.open_medium(&serial).unwrap();
        (app, medium)
    };
    let wrong = |app: &mut tessera_core::app::App, medium: &mut tessera_core::app::OpenMedium| {
        app.login(medium, &mut || Ok(Pin::new("wrong pass 1")))
            .unwrap_err()
    };

    let (mut app, mut medium) = reopen();
    assert_eq!(medium.info().unwrap().pin_retries_left, 5);
    for left in [4, 3] {
        match wrong(&mut app, &mut medium) {
            tessera_core::app::AppError::Medium(MediumError::PinIncorrect { retries_left }) => {
                assert_eq!(retries_left, left);
            }
            other => panic!("{other:?}"),
        }
    }
    // A new run (the UI started again) knows the count.
    let (mut app, mut medium) = reopen();
    let info = medium.info().unwrap();
    assert_eq!((info.pin_retries_left, info.locked), (3, false));

    // Wrong until the service answers with its lock: the fifth wrong one locks, the next
    // learns of it.
    let mut refusal = None;
    for _ in 0..4 {
        let e = wrong(&mut app, &mut medium);
        if matches!(
            e,
            tessera_core::app::AppError::Medium(MediumError::TemporarilyLocked { .. })
        ) {
            refusal = Some(e);
            break;
        }
    }
    let refusal = refusal.expect("the service locks after five wrong passwords");
    let c = refusal.classify();
    assert_eq!(
        (c.message, c.recovery, c.exit),
        (
            "err-problem-account-locked",
            "rec-problem-account-locked",
            exit::LOCKED
        )
    );
    let zh = Localizer::new(Lang::ZhCn);
    assert!(c.text(&zh).contains("分钟后解锁"), "{}", c.text(&zh));

    // Listed again: locked, no tries, and the words for a cloud key's lock.
    let (mut app, mut medium) = reopen();
    let info = medium.info().unwrap();
    assert_eq!((info.pin_retries_left, info.locked), (0, true));
    let (message, next) = tessera_core::words::locked(&zh, &info);
    assert_eq!(message, zh.text("ui-err-cloud-locked"));
    assert_eq!(next, zh.text("ui-next-cloud-locked"));
    assert_ne!(next, zh.text("ui-next-unlock"));
    // Even the right password is refused while the lock lasts.
    assert!(matches!(
        app.login(&mut medium, &mut || Ok(Pin::new(PASSWORD))),
        Err(tessera_core::app::AppError::Medium(
            MediumError::TemporarilyLocked { retry_after_secs: Some(secs) }
        )) if secs > 0
    ));
}
