//! The `tessera-server` binary on 127.0.0.1 with a fresh data folder, a whole cloud-key flow
//! over a real socket (apply, approval, login, device, key, 20 co-signatures, co-decryption,
//! password change, wrong passwords), then the log (at `debug`) and every database file are
//! searched for the secrets of the flow: both passwords, the session token, the client share
//! d1 and the service share d2 (opened from the database with the master key), raw and as hex.
//! Also the operator CLI: `tessera-server admin accounts list|approve ID --data-dir DIR`.

use crate::support;

use std::process::Command;

use serde_json::json;
use support::cloud_driver::{self as driver, JsonBody as _, client};
use tessera_crypto::sm2::two_party::ClientDecryption;
use tessera_crypto::sm2::{CiphertextFormat, DEFAULT_ID};
use tessera_server::ca::MasterKey;
use tessera_server::store::Store;

const PASSWORD: &str = "first secret 123";
const NEW_PASSWORD: &str = "second secret 456";

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_in_logs_or_database_after_a_full_flow() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("server.log");
    let server = driver::spawn(env!("CARGO_BIN_EXE_tessera-server"), &data, &log, "debug");
    let http = client();
    let u = driver::new_user(&http, &server, "N5005", PASSWORD).await;
    for i in 0..20u8 {
        let sig = driver::cosign(&http, &server, &u, &[i; 40]).await;
        u.public.verify(DEFAULT_ID, &[i; 40], &sig).unwrap();
    }
    let ct = u
        .public
        .encrypt(b"ward 7 notes", CiphertextFormat::C1C3C2)
        .unwrap();
    let (state, t1) = ClientDecryption::start(&u.d1, &ct, CiphertextFormat::C1C3C2).unwrap();
    let path = format!("/v1/cloud/accounts/{}/decrypt", u.id);
    let res = driver::signed(
        &http,
        &server.url,
        &path,
        &u.session,
        &u.device,
        &json!({"t1": hex::encode(t1)}),
    )
    .send()
    .await
    .unwrap();
    let t2: serde_json::Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
    let plain = state
        .finish(&hex::decode(t2["t2"].as_str().unwrap()).unwrap())
        .unwrap();
    assert_eq!(plain.as_slice(), b"ward 7 notes");
    for _ in 0..2 {
        let res = http
            .post(format!("{}/v1/cloud/login", server.url))
            .json_body(&json!({"org": u.org, "user_id": "N5005", "password": "wrong guess 000"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 403);
    }
    let res = http
        .post(format!(
            "{}/v1/cloud/accounts/{}/password",
            server.url, u.id
        ))
        .bearer_auth(&u.session)
        .json_body(&json!({"old": PASSWORD, "new": NEW_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 204);

    // The operator CLI on the same data folder (SQLite allows the second process).
    let out = Command::new(env!("CARGO_BIN_EXE_tessera-server"))
        .args(["admin", "accounts", "list", "--json", "--data-dir"])
        .arg(&data)
        .env_remove("TESSERA_DATABASE_URL")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed[0]["id"], u.id.as_str());
    assert_eq!(listed[0]["status"], "approved");
    let pending = http
        .post(format!("{}/v1/cloud/accounts", server.url))
        .json_body(&json!({"org": u.org, "user_id": "N6006", "name": "赵六", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let pending: serde_json::Value = serde_json::from_str(&pending.text().await.unwrap()).unwrap();
    let pid = pending["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{pending}"));
    let out = Command::new(env!("CARGO_BIN_EXE_tessera-server"))
        .args(["admin", "accounts", "approve", pid, "--data-dir"])
        .arg(&data)
        .env_remove("TESSERA_DATABASE_URL")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("approved"));
    let res = http
        .post(format!("{}/v1/cloud/login", server.url))
        .json_body(&json!({"org": u.org, "user_id": "N6006", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200, "approved by the CLI");
    drop(server);

    // d2, opened from the database with the master key, to search for it.
    let store = Store::open_sqlite(&data.join("tessera.sqlite3"))
        .await
        .unwrap();
    let share = store
        .cloud_key_share(&tessera_server::store::ShareKey::own(u.id.clone()))
        .await
        .unwrap()
        .unwrap();
    store.close().await;
    let (master, created) = MasterKey::load_or_create(&data, None).unwrap();
    assert!(!created);
    let d2 = master
        .unwrap(&format!("cloud:{}", u.id), &share.sealed_share)
        .unwrap()
        .to_vec();
    assert_eq!(d2.len(), 32);
    let d1 = u.d1.to_bytes();

    let mut secrets: Vec<(&str, Vec<u8>)> = vec![
        ("password", PASSWORD.as_bytes().to_vec()),
        ("new password", NEW_PASSWORD.as_bytes().to_vec()),
        ("session token", u.session.as_bytes().to_vec()),
        ("d1", d1.to_vec()),
        ("d2", d2.clone()),
    ];
    for (name, raw) in [("d1 hex", d1.to_vec()), ("d2 hex", d2.clone())] {
        secrets.push((name, hex::encode(&raw).into_bytes()));
        secrets.push((name, hex::encode_upper(&raw).into_bytes()));
    }
    let mut files = vec![log.clone()];
    for e in std::fs::read_dir(&data).unwrap() {
        let p = e.unwrap().path();
        if p.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("tessera.sqlite3")
        {
            files.push(p);
        }
    }
    assert!(files.len() >= 2, "{files:?}");
    let log_text = std::fs::read_to_string(&log).unwrap();
    assert!(
        log_text.contains("/v1/cloud/accounts/"),
        "the log has the requests"
    );
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        for (name, secret) in &secrets {
            assert!(!contains(&bytes, secret), "{name} found in {}", f.display());
        }
    }
}
