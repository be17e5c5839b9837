#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr,
    reason = "tests"
)]
//! The media conformance suite (`tessera-media/tests/conformance/suite.rs`) run against a cloud
//! key: a real cloud-key service on 127.0.0.1 (the `tessera-server` library on a random port in
//! this process), each fresh medium a new account applied for, approved by the operator through
//! the admin API and downloaded into its own data folder, then opened as a `CloudKey` medium.
//! `openssl` is the outside oracle for signatures and ciphertexts, as for every medium.

#[path = "../../tessera-media/tests/conformance/openssl.rs"]
mod openssl;
#[path = "../../tessera-media/tests/conformance/suite.rs"]
mod suite;

use std::sync::Arc;

use sha2::{Digest, Sha256};
use suite::{Profile, conformance};
use tessera::cloud::Cloud;
use tessera_media::Medium as _;
use tessera_proto::cloud::{AccountApplication, Password};
use tessera_server::AppState;
use tessera_server::ca::{Ca, MasterKey};
use tessera_server::store::Store;
use tessera_x509::issue::CaAlgorithm;

const ADMIN: &str = "cloud-admin-token";
const PASSWORD: &str = "cloud pass 2026";

const CLOUD_KEY: Profile = Profile {
    pin: PASSWORD,
    new_pin: "changed pass 77",
    no_exact_lockout: None,
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

struct Service {
    url: String,
    _runtime: tokio::runtime::Runtime,
}

fn start_service() -> Service {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let state = runtime.block_on(async {
        let store = Store::open_memory().await.unwrap();
        let hash: [u8; 32] = Sha256::digest(ADMIN.as_bytes()).into();
        store.add_admin_token("test", &hash, 0).await.unwrap();
        store
            .create_organization("HOSP", "第一人民医院", 0)
            .await
            .unwrap();
        let mut parts = tessera_server::StateParts::ephemeral(store.clone()).unwrap();
        parts.public_url = url.clone();
        let state = AppState::new(parts);
        let master = MasterKey::from_bytes([7; 32]);
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let (ca, _) = Ca::load_or_create(&store, &master, CaAlgorithm::Sm2, &url, now)
            .await
            .unwrap();
        state.ca.install(Arc::new(ca));
        state.cloud.install(Arc::new(master), &store);
        state
    });
    let app =
        tessera_server::app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    runtime.spawn(async move {
        let listener = tokio::net::TcpListener::from_std(listener).unwrap();
        axum::serve(listener, app).await.unwrap();
    });
    Service {
        url,
        _runtime: runtime,
    }
}

impl Service {
    fn approve(&self, id: &str) {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let res = reqwest::blocking::Client::new()
            .post(format!("{}/v1/admin/cloud/accounts/{id}/approve", self.url))
            .bearer_auth(ADMIN)
            .send()
            .unwrap();
        assert!(res.status().is_success(), "approve: {}", res.status());
    }

    /// A new approved account, downloaded into its own data folder under `root`.
    fn account(&self, root: &std::path::Path, n: u32) -> Cloud {
        let user = format!("C{n:04}");
        let account = Cloud::apply(
            &self.url,
            &AccountApplication {
                org: "HOSP".into(),
                user_id: user.clone(),
                name: format!("云钥匙 {n}"),
                phone: None,
                password: Password::new(PASSWORD),
            },
        )
        .unwrap();
        self.approve(&account.id);
        let cloud = Cloud::new(&root.join(&user));
        let done = cloud
            .download(&self.url, "HOSP", &user, &Password::new(PASSWORD))
            .unwrap();
        assert!(done.new_key);
        cloud
    }
}

#[test]
fn cloud_key_passes_the_media_conformance_suite() {
    let service = start_service();
    let root = tempfile::tempdir().unwrap();
    let mut n = 0;
    conformance(CLOUD_KEY, || {
        n += 1;
        let cloud = service.account(root.path(), n);
        let medium = tessera::cloud::medium::open(&cloud).unwrap();
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
        tessera::cloud::medium::open(&cloud),
        Err(tessera::cloud::CloudError::NoAccount(_))
    ));
}

/// The app core lists the active cloud account among the media, opens it by its serial (the
/// account id) and signs with it after a login with the account password.
#[test]
fn app_core_lists_and_opens_the_cloud_key() {
    let service = start_service();
    let root = tempfile::tempdir().unwrap();
    let cloud = service.account(root.path(), 1);
    let mut app = tessera::app::App::open(Some(cloud.data_dir())).unwrap();
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
    assert!(matches!(medium, tessera::app::OpenMedium::Cloud(_)));
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
    let app = tessera::app::App::open(Some(empty.path())).unwrap();
    assert!(app.media().unwrap().iter().all(|m| {
        m.info
            .as_ref()
            .map_or(true, |i| i.kind != tessera_media::MediumKind::CloudKey)
    }));
}
