//! One store suite, run on SQLite (always) and PostgreSQL (a throwaway cluster; see
//! `support/pg.rs`), plus the SMS-code and captcha rules and the CA (tables, sealed keys, CRL)
//! on each backend.

use crate::support;

use std::sync::Arc;

use tessera_server::ca::{Ca, CaError, MasterKey};
use tessera_server::captcha::{CaptchaError, Captchas};
use tessera_server::clock::ManualClock;
use tessera_server::pepper::Pepper;
use tessera_server::phone::PhoneNumber;
use tessera_server::sms::{OutboxSender, SmsCodes, SmsError, SmsLimits};
use tessera_server::store::{
    Admission, AuditEntry, CaKeyRow, CloudAccountRow, CrlRow, DeviceRequest, NewCertificate,
    RaPolicy, ShareKey, Store, StoreError,
};
use tessera_x509::issue::{CaAlgorithm, RevocationReason};

const T0: i64 = 1_700_000_000;

async fn suite(store: Store) {
    store.ping().await.unwrap();
    // migrations are idempotent
    store.migrate().await.unwrap();
    organizations_and_projects(&store).await;
    admin_tokens(&store).await;
    outbox(&store).await;
    audit(&store).await;
    cloud_sessions(&store).await;
    cloud_key_shares(&store).await;
    captcha_rows(&store).await;
    sms_code_rules(&store).await;
    sms_limit_holds_under_concurrency(&store).await;
    sms_tries_hold_under_concurrency(&store).await;
    captcha_rules(&store).await;
    ca_rows(&store).await;
    ca_over_the_store(&store).await;
    store.close().await;
}

async fn organizations_and_projects(store: &Store) {
    assert!(store.list_organizations().await.unwrap().is_empty());
    let org = store
        .create_organization("ORG-A", "机构甲", T0)
        .await
        .unwrap();
    assert_eq!(org.code, "ORG-A");
    store
        .create_organization("ORG-B", "Org B", T0)
        .await
        .unwrap();
    let dup = store
        .create_organization("ORG-A", "again", T0)
        .await
        .unwrap_err();
    assert!(matches!(dup, StoreError::Conflict { .. }), "{dup:?}");
    let orgs = store.list_organizations().await.unwrap();
    assert_eq!(
        orgs.iter().map(|o| o.code.as_str()).collect::<Vec<_>>(),
        ["ORG-A", "ORG-B"]
    );
    assert_eq!(orgs[0].name, "机构甲");

    let p = store
        .create_project("ORG-A", "P1", "项目一", RaPolicy::Review, T0)
        .await
        .unwrap();
    store
        .create_project("ORG-A", "P2", "Two", RaPolicy::PreEntered, T0 + 1)
        .await
        .unwrap();
    store
        .create_project("ORG-B", "P3", "Three", RaPolicy::Review, T0)
        .await
        .unwrap();
    let missing = store
        .create_project("NOPE", "P4", "x", RaPolicy::Review, T0)
        .await
        .unwrap_err();
    assert!(
        matches!(missing, StoreError::NotFound { .. }),
        "{missing:?}"
    );
    let dup = store
        .create_project("ORG-B", "P1", "x", RaPolicy::Review, T0)
        .await
        .unwrap_err();
    assert!(matches!(dup, StoreError::Conflict { .. }), "{dup:?}");

    let of_a = store.list_projects(Some("ORG-A")).await.unwrap();
    assert_eq!(of_a.len(), 2);
    assert_eq!(of_a[1].ra_policy, RaPolicy::PreEntered);
    assert_eq!(store.list_projects(None).await.unwrap().len(), 3);
    let found = store.project_by_code("P1").await.unwrap().unwrap();
    assert_eq!(found, p);
    assert_eq!(found.organization, "ORG-A");
    assert!(store.project_by_code("P9").await.unwrap().is_none());
}

async fn admin_tokens(store: &Store) {
    let h1 = [1u8; 32];
    let h2 = [2u8; 32];
    assert_eq!(store.count_admin_tokens().await.unwrap(), 0);
    store.add_admin_token("ops", &h1, T0).await.unwrap();
    store.add_admin_token("ci", &h2, T0).await.unwrap();
    assert!(matches!(
        store.add_admin_token("x", &h1, T0).await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(
        store.admin_token_label(&h1).await.unwrap().as_deref(),
        Some("ops")
    );
    assert_eq!(store.admin_token_label(&[3u8; 32]).await.unwrap(), None);
    assert_eq!(store.revoke_admin_tokens("ops").await.unwrap(), 1);
    assert_eq!(store.admin_token_label(&h1).await.unwrap(), None);
    assert_eq!(store.count_admin_tokens().await.unwrap(), 1);
}

async fn outbox(store: &Store) {
    assert!(store.outbox_tail(10).await.unwrap().is_empty());
    let a = store
        .outbox_push("13800000001", "第一条", T0)
        .await
        .unwrap();
    let b = store
        .outbox_push("13800000002", "second", T0 + 1)
        .await
        .unwrap();
    assert!(b > a);
    let all = store.outbox_after(0, 10).await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].body, "第一条");
    assert_eq!(store.outbox_after(a, 10).await.unwrap()[0].id, b);
    let tail = store.outbox_tail(1).await.unwrap();
    assert_eq!(tail.len(), 1);
    assert_eq!(tail[0].id, b);
}

async fn audit(store: &Store) {
    let entry = AuditEntry {
        at: T0,
        actor: "admin:ops",
        action: "project.create",
        subject: Some("P1"),
        source_ip: Some("127.0.0.1"),
        request_id: Some("rid-1"),
    };
    store.audit(&entry).await.unwrap();
    store
        .audit(&AuditEntry {
            at: T0 + 5,
            actor: "system",
            action: "x",
            ..Default::default()
        })
        .await
        .unwrap();
    let recent = store.audit_recent(10).await.unwrap();
    assert_eq!(recent.len(), 2);
    assert_eq!(recent[0].action, "x");
    assert_eq!(recent[0].subject, None);
    assert_eq!(recent[1].source_ip.as_deref(), Some("127.0.0.1"));
    assert_eq!(recent[1].request_id.as_deref(), Some("rid-1"));

    // A batch keeps its order, its NULLs and text that is not plain ASCII.
    let batch: Vec<AuditEntry<'_>> = (0..150)
        .map(|i| AuditEntry {
            at: T0 + 10 + i,
            actor: "cloud:ORG-A/张三",
            action: if i % 2 == 0 {
                "cloud.sign"
            } else {
                "cloud.\"decrypt\""
            },
            subject: (i % 3 != 0).then_some("acct-1"),
            source_ip: None,
            request_id: Some("rid-2"),
        })
        .collect();
    store.audit_batch(&batch).await.unwrap();
    let recent = store.audit_recent(150).await.unwrap();
    assert_eq!(recent.len(), 150);
    for (got, want) in recent.iter().rev().zip(&batch) {
        assert_eq!(got.at, want.at);
        assert_eq!(got.actor, want.actor);
        assert_eq!(got.action, want.action);
        assert_eq!(got.subject.as_deref(), want.subject);
        assert_eq!(got.source_ip, None);
        assert_eq!(got.request_id.as_deref(), want.request_id);
    }
    assert!(recent.windows(2).all(|w| w[0].id > w[1].id));
    store.audit_batch(&[]).await.unwrap();

    // The writer task's kept connection: its batches land like the store's.
    let mut kept = store.kept_connection();
    for i in 0..3 {
        kept.audit_batch(&batch[i * 10..i * 10 + 10]).await.unwrap();
    }
    let recent = store.audit_recent(30).await.unwrap();
    for (got, want) in recent.iter().rev().zip(&batch[..30]) {
        assert_eq!((got.at, got.action.as_str()), (want.at, want.action));
    }
}

/// Sessions looked up together: each live one with its own account, unknown and expired ones
/// absent, a hash asked twice answered once.
async fn cloud_sessions(store: &Store) {
    for (id, user) in [("acct-1", "U1"), ("acct-2", "U2")] {
        let row = CloudAccountRow {
            status: "approved".into(),
            ..CloudAccountRow::pending(
                id.into(),
                "ORG-A".into(),
                user.into(),
                "张三".into(),
                None,
                "$argon2id$…".into(),
                T0,
            )
        };
        store.insert_cloud_account(&row, T0).await.unwrap();
    }
    let (a1, a2, b1, old, unknown) = ([1u8; 32], [2u8; 32], [3u8; 32], [4u8; 32], [5u8; 32]);
    store
        .insert_cloud_session(&a1, "acct-1", T0 + 100)
        .await
        .unwrap();
    store
        .insert_cloud_session(&a2, "acct-1", T0 + 200)
        .await
        .unwrap();
    store
        .insert_cloud_session(&b1, "acct-2", T0 + 100)
        .await
        .unwrap();
    store
        .insert_cloud_session(&old, "acct-2", T0 + 50)
        .await
        .unwrap();

    let mut rows = store
        .cloud_session_accounts(&[b1, a1, old, unknown, a1, a2], T0 + 50)
        .await
        .unwrap();
    rows.sort_by(|x, y| x.token_hash.cmp(&y.token_hash));
    // A kept connection (the lookup task's) answers the same.
    let mut kept = store.kept_connection();
    for _ in 0..2 {
        let mut again = kept
            .cloud_session_accounts(&[a2, b1, a1, unknown], T0 + 50)
            .await
            .unwrap();
        again.sort_by(|x, y| x.token_hash.cmp(&y.token_hash));
        assert_eq!(
            again.iter().map(|r| &r.token_hash).collect::<Vec<_>>(),
            rows.iter().map(|r| &r.token_hash).collect::<Vec<_>>()
        );
    }
    let got: Vec<_> = rows
        .iter()
        .map(|r| (r.token_hash.as_slice(), r.expires_at, r.account.id.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (&a1[..], T0 + 100, "acct-1"),
            (&a2[..], T0 + 200, "acct-1"),
            (&b1[..], T0 + 100, "acct-2"),
        ]
    );
    assert_eq!(rows[2].account.user_id, "U2");
    assert_eq!(rows[2].account.name, "张三");
    assert!(
        store
            .cloud_session_accounts(&[a1, b1], T0 + 100)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .cloud_session_accounts(&[], T0)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Key shares (0041): stored with the key, one per (account, grant); each use fetched and
/// counted in one statement; admitted with its request's nonce, a replay fetching nothing.
async fn cloud_key_shares(store: &Store) {
    let own = ShareKey::own("acct-1");
    assert!(store.cloud_key_share(&own).await.unwrap().is_none());
    assert!(
        store
            .set_cloud_key("acct-1", b"public", b"sealed-1", T0)
            .await
            .unwrap()
    );
    assert!(
        !store
            .set_cloud_key("acct-1", b"public-2", b"sealed-2", T0)
            .await
            .unwrap(),
        "a second key is refused"
    );
    let row = store.cloud_key_share(&own).await.unwrap().unwrap();
    assert_eq!(
        (row.sealed_share.as_slice(), row.uses),
        (&b"sealed-1"[..], 0)
    );
    assert!(!format!("{row:?}").contains("sealed"), "{row:?}");

    assert_eq!(
        store.use_cloud_key_share(&own, T0 + 1).await.unwrap(),
        Some(b"sealed-1".to_vec())
    );
    let row = store.cloud_key_share(&own).await.unwrap().unwrap();
    assert_eq!((row.uses, row.last_used_at), (1, Some(T0 + 1)));
    let granted = ShareKey {
        account_id: "acct-1".into(),
        grant_id: Some("grant-1".into()),
    };
    assert_eq!(store.use_cloud_key_share(&granted, T0).await.unwrap(), None);
    assert!(store.cloud_key_share(&granted).await.unwrap().is_none());

    let request = |n: u8, share: Option<&ShareKey>| DeviceRequest {
        nonce: [n; 16],
        expires_at: T0 + 300,
        share: share.cloned(),
    };
    let no_key = ShareKey::own("acct-2");
    let answers = store
        .admit_device_requests(
            &[
                request(1, Some(&own)),
                request(2, Some(&own)),
                request(1, Some(&own)),
                request(3, None),
                request(4, Some(&no_key)),
            ],
            T0 + 2,
        )
        .await
        .unwrap();
    let share = |bytes: &[u8]| Admission::Admitted {
        sealed_share: Some(bytes.to_vec()),
    };
    let none = Admission::Admitted { sealed_share: None };
    assert_eq!(
        answers,
        [
            share(b"sealed-1"),
            share(b"sealed-1"),
            Admission::Replayed,
            none.clone(),
            none.clone(),
        ]
    );
    assert!(!format!("{answers:?}").contains("sealed-1"));
    let row = store.cloud_key_share(&own).await.unwrap().unwrap();
    assert_eq!((row.uses, row.last_used_at), (3, Some(T0 + 2)), "two uses");

    // On a kept connection (the nonce task's): a replay fetches and counts nothing.
    let mut kept = store.kept_connection();
    for _ in 0..2 {
        let again = kept
            .admit_device_requests(&[request(2, Some(&own)), request(3, None)], T0 + 3)
            .await
            .unwrap();
        assert_eq!(again, [Admission::Replayed, Admission::Replayed]);
    }
    let fresh = kept
        .admit_device_requests(&[request(5, Some(&own))], T0 + 4)
        .await
        .unwrap();
    assert_eq!(fresh, [share(b"sealed-1")]);
    assert_eq!(store.cloud_key_share(&own).await.unwrap().unwrap().uses, 4);
}

async fn captcha_rows(store: &Store) {
    store
        .captcha_insert("c1", b"hash", T0, T0 + 120)
        .await
        .unwrap();
    assert_eq!(
        store.captcha_take("c1", T0 + 1).await.unwrap().as_deref(),
        Some(&b"hash"[..])
    );
    assert_eq!(
        store.captcha_take("c1", T0 + 2).await.unwrap(),
        None,
        "single use"
    );
    store
        .captcha_insert("c2", b"h", T0, T0 + 120)
        .await
        .unwrap();
    assert_eq!(
        store.captcha_take("c2", T0 + 120).await.unwrap(),
        None,
        "expired"
    );
    assert_eq!(store.purge_expired(T0 + 1000, T0).await.unwrap(), 2);
}

fn codes(store: &Store, clock: &ManualClock) -> SmsCodes {
    let clock: Arc<ManualClock> = Arc::new(clock.clone());
    let sender = Arc::new(OutboxSender::new(store.clone(), clock.clone()));
    SmsCodes::new(
        store.clone(),
        sender,
        clock,
        Pepper::random().unwrap(),
        SmsLimits::default(),
    )
}

/// The code in the newest outbox message to `phone`.
async fn sent_code(store: &Store, phone: &str) -> String {
    let msgs = store.outbox_after(0, 1000).await.unwrap();
    let body = &msgs.iter().rev().find(|m| m.phone == phone).unwrap().body;
    let code: String = body.chars().filter(char::is_ascii_digit).take(6).collect();
    assert_eq!(code.len(), 6, "{body}");
    code
}

/// Many requests for one phone at the same instant: exactly one code is stored and sent, on
/// either backend, however the requests interleave (other replicas behave as these tasks do).
async fn sms_limit_holds_under_concurrency(store: &Store) {
    let clock = ManualClock::new(T0 + 50_000);
    let phone = PhoneNumber::parse("13612345678").unwrap();
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let sms = codes(store, &clock);
            let phone = phone.clone();
            tokio::spawn(async move { sms.send_code(&phone, "race", None).await })
        })
        .collect();
    let mut sent = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => sent += 1,
            Err(SmsError::RateLimited { scope: "phone", .. }) => {}
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(sent, 1);
    let (today, _) = store
        .sms_codes_for_phone_since(phone.as_str(), T0)
        .await
        .unwrap();
    assert_eq!(today, 1);
}

/// 64 wrong answers and the right one, all at once, against one code: at most `max_tries`
/// answers are compared (each try is reserved before the comparison), so the right one is
/// accepted only if it took one of those tries; otherwise the code ends locked and the right
/// one is refused. Before the fix every answer read `tries = 0` and was compared: 5 wrong
/// answers counted and the right one accepted (6 compared against a limit of 5).
async fn sms_tries_hold_under_concurrency(store: &Store) {
    let clock = ManualClock::new(T0 + 60_000);
    let phone = PhoneNumber::parse("13712345678").unwrap();
    let sms = codes(store, &clock);
    sms.send_code(&phone, "burst", None).await.unwrap();
    let code = sent_code(store, phone.as_str()).await;
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let mut answers = vec![wrong.to_owned(); 64];
    answers.push(code.clone());
    let tasks: Vec<_> = answers
        .into_iter()
        .map(|answer| {
            let sms = sms.clone();
            let phone = phone.clone();
            tokio::spawn(
                async move { (answer.clone(), sms.verify(&phone, "burst", &answer).await) },
            )
        })
        .collect();
    let (mut incorrect, mut accepted, mut locked) = (0, 0, 0);
    for t in tasks {
        match t.await.unwrap() {
            (_, Ok(())) => accepted += 1,
            (_, Err(SmsError::Incorrect { .. })) => incorrect += 1,
            (_, Err(SmsError::TooManyTries)) => locked += 1,
            (a, Err(e)) => panic!("{a}: {e}"),
        }
    }
    eprintln!(
        "sms burst ({}): {incorrect} wrong compared, right accepted {accepted}, {locked} refused",
        store.backend_name()
    );
    let max = i64::from(SmsLimits::default().max_tries);
    let row = store
        .sms_code_latest(phone.as_str(), "burst")
        .await
        .unwrap();
    if accepted == 1 {
        assert!(
            incorrect < max,
            "{incorrect} wrong + the right one compared"
        );
        assert!(row.is_none(), "the right answer used the code up");
    } else {
        // exactly max wrong answers counted (each reserved its try); one more wrong answer
        // would have been the (max + 1)th comparison
        assert_eq!((incorrect + locked, accepted), (65, 0));
        assert!(
            incorrect < max,
            "the last counted try answers locked, not incorrect"
        );
        assert_eq!(row.unwrap().tries, max);
        assert!(matches!(
            sms.verify(&phone, "burst", &code).await,
            Err(SmsError::TooManyTries)
        ));
    }
}

async fn sms_code_rules(store: &Store) {
    let clock = ManualClock::new(T0);
    let sms = codes(store, &clock);
    let phone = PhoneNumber::parse("13912345678").unwrap();
    let ip = Some("127.0.0.9");

    // no code yet
    assert!(matches!(
        sms.verify(&phone, "enroll", "123456").await,
        Err(SmsError::NoCode)
    ));
    assert!(matches!(
        sms.send_code(&phone, "Bad Purpose", ip).await,
        Err(SmsError::InvalidPurpose)
    ));

    // right code verifies once, for its purpose only
    let sent = sms.send_code(&phone, "enroll", ip).await.unwrap();
    assert_eq!((sent.expires_in, sent.resend_after), (300, 60));
    let code = sent_code(store, phone.as_str()).await;
    assert!(matches!(
        sms.verify(&phone, "login", &code).await,
        Err(SmsError::NoCode)
    ));
    sms.verify(&phone, "enroll", &code).await.unwrap();
    assert!(
        matches!(
            sms.verify(&phone, "enroll", &code).await,
            Err(SmsError::NoCode)
        ),
        "used up"
    );

    // one a minute per phone
    let limited = sms.send_code(&phone, "enroll", ip).await.unwrap_err();
    assert!(
        matches!(
            limited,
            SmsError::RateLimited {
                scope: "phone",
                retry_after: 60
            }
        ),
        "{limited:?}"
    );
    clock.advance(30);
    assert!(matches!(
        sms.send_code(&phone, "enroll", ip).await,
        Err(SmsError::RateLimited {
            retry_after: 30,
            ..
        })
    ));

    // wrong code counts down, then the code locks even for the right answer
    clock.advance(30);
    sms.send_code(&phone, "enroll", ip).await.unwrap();
    let code = sent_code(store, phone.as_str()).await;
    let wrong = if code == "000000" { "000001" } else { "000000" };
    for left in (1..=4).rev() {
        match sms.verify(&phone, "enroll", wrong).await {
            Err(SmsError::Incorrect { tries_left }) => assert_eq!(tries_left, left),
            other => panic!("{other:?}"),
        }
    }
    assert!(matches!(
        sms.verify(&phone, "enroll", "abc").await,
        Err(SmsError::TooManyTries)
    ));
    assert!(matches!(
        sms.verify(&phone, "enroll", &code).await,
        Err(SmsError::TooManyTries)
    ));

    // expiry after 5 minutes
    clock.advance(60);
    sms.send_code(&phone, "enroll", ip).await.unwrap();
    let code = sent_code(store, phone.as_str()).await;
    clock.advance(300);
    assert!(matches!(
        sms.verify(&phone, "enroll", &code).await,
        Err(SmsError::Expired)
    ));

    // ten a day per phone
    for _ in 3..10 {
        clock.advance(61);
        sms.send_code(&phone, "enroll", ip).await.unwrap();
    }
    clock.advance(61);
    let daily = sms.send_code(&phone, "enroll", ip).await.unwrap_err();
    assert!(
        matches!(daily, SmsError::RateLimited { scope: "phone", .. }),
        "{daily:?}"
    );
    clock.advance(86_400);
    sms.send_code(&phone, "enroll", ip).await.unwrap();

    // per address: 30 an hour across phones
    let ip2 = Some("127.0.0.10");
    for i in 0..30 {
        let p = PhoneNumber::parse(&format!("150000000{i:02}")).unwrap();
        sms.send_code(&p, "enroll", ip2).await.unwrap();
    }
    let p = PhoneNumber::parse("15100000000").unwrap();
    let by_ip = sms.send_code(&p, "enroll", ip2).await.unwrap_err();
    assert!(
        matches!(
            by_ip,
            SmsError::RateLimited {
                scope: "address",
                retry_after: 3600
            }
        ),
        "{by_ip:?}"
    );
    sms.send_code(&p, "enroll", Some("127.0.0.11"))
        .await
        .unwrap();
    // codes are stored hashed: no outbox code appears in the codes table
    assert_eq!(sms.limits(), SmsLimits::default());
}

async fn captcha_rules(store: &Store) {
    let clock = ManualClock::new(T0);
    let captchas = Captchas::new(
        store.clone(),
        Arc::new(clock.clone()),
        Pepper::random().unwrap(),
        120,
    );
    let issued = captchas.issue().await.unwrap();
    assert_eq!(issued.challenge.expires_in, 120);
    assert_eq!(issued.challenge.id.len(), 32);
    let png = base64_decode(&issued.challenge.png_base64);
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    // right answer (any case) passes once
    captchas
        .verify(&issued.challenge.id, &issued.answer.to_uppercase())
        .await
        .unwrap();
    assert!(matches!(
        captchas.verify(&issued.challenge.id, &issued.answer).await,
        Err(CaptchaError::Invalid)
    ));
    // a wrong answer uses it up too
    let second = captchas.issue().await.unwrap();
    assert!(matches!(
        captchas.verify(&second.challenge.id, "-----").await,
        Err(CaptchaError::Incorrect)
    ));
    assert!(matches!(
        captchas.verify(&second.challenge.id, &second.answer).await,
        Err(CaptchaError::Invalid)
    ));
    // expiry after 2 minutes
    let third = captchas.issue().await.unwrap();
    clock.advance(120);
    assert!(matches!(
        captchas.verify(&third.challenge.id, &third.answer).await,
        Err(CaptchaError::Invalid)
    ));
    assert!(matches!(
        captchas.verify("unknown", "x").await,
        Err(CaptchaError::Invalid)
    ));
}

fn new_certificate<'a>(serial: &'a str, der: &'a [u8]) -> NewCertificate<'a> {
    NewCertificate {
        serial,
        subject: "CN=Alice,O=Tessera",
        issuer: "CN=Tessera Issuing CA,O=Tessera,C=CN",
        not_before: T0,
        not_after: T0 + 365 * 86_400,
        profile: "signing",
        der,
        issued_at: T0,
    }
}

/// The CA tables: keys (a spare name, so the CA below starts from nothing), certificates,
/// revocation, the CRL singleton.
async fn ca_rows(store: &Store) {
    assert_eq!(store.ca_key("spare").await.unwrap(), None);
    let key = CaKeyRow {
        name: "spare".into(),
        algorithm: "p256".into(),
        certificate: vec![0x30, 0x00, 0xff],
        sealed_key: vec![0, 1, 2, 0xfe],
    };
    store.insert_ca_key(&key, T0).await.unwrap();
    assert_eq!(store.ca_key("spare").await.unwrap(), Some(key.clone()));
    let dup = store.insert_ca_key(&key, T0).await.unwrap_err();
    assert!(matches!(dup, StoreError::Conflict { .. }), "{dup:?}");

    store
        .insert_certificate(&new_certificate("01aa", &[0x30, 1]))
        .await
        .unwrap();
    store
        .insert_certificate(&new_certificate("02bb", &[0x30, 2]))
        .await
        .unwrap();
    let dup = store
        .insert_certificate(&new_certificate("01aa", &[0x30, 3]))
        .await
        .unwrap_err();
    assert!(matches!(dup, StoreError::Conflict { .. }), "{dup:?}");
    assert_eq!(
        store.certificate_der("01aa").await.unwrap(),
        Some(vec![0x30, 1])
    );
    assert_eq!(store.certificate_der("ffff").await.unwrap(), None);

    assert!(store.revoked_certificates().await.unwrap().is_empty());
    store
        .revoke_certificate("02bb", T0 + 5, "superseded")
        .await
        .unwrap();
    store
        .revoke_certificate("01aa", T0 + 9, "keyCompromise")
        .await
        .unwrap();
    let again = store
        .revoke_certificate("01aa", T0 + 10, "keyCompromise")
        .await
        .unwrap_err();
    assert!(matches!(again, StoreError::Conflict { .. }), "{again:?}");
    let missing = store
        .revoke_certificate("ffff", T0, "keyCompromise")
        .await
        .unwrap_err();
    assert!(
        matches!(missing, StoreError::NotFound { .. }),
        "{missing:?}"
    );
    let revoked = store.revoked_certificates().await.unwrap();
    assert_eq!(
        revoked
            .iter()
            .map(|r| (r.serial.as_str(), r.revoked_at, r.reason.as_str()))
            .collect::<Vec<_>>(),
        [
            ("02bb", T0 + 5, "superseded"),
            ("01aa", T0 + 9, "keyCompromise")
        ]
    );

    assert_eq!(store.crl_state().await.unwrap(), None);
    let mut crl = CrlRow {
        crl_number: 100,
        this_update: T0,
        next_update: T0 + 86_400,
        der: vec![0x30, 0x80],
    };
    assert!(store.save_crl(&crl).await.unwrap());
    crl.crl_number = 101;
    crl.der = vec![0x30, 0x81];
    assert!(store.save_crl(&crl).await.unwrap());
    assert_eq!(store.crl_state().await.unwrap(), Some(crl.clone()));
    // another replica's CRL with the same or a lower number does not replace it
    let mut stale = crl.clone();
    stale.der = vec![0x30, 0x82];
    assert!(!store.save_crl(&stale).await.unwrap());
    stale.crl_number = 100;
    assert!(!store.save_crl(&stale).await.unwrap());
    assert_eq!(store.crl_state().await.unwrap(), Some(crl));
}

/// The CA on this backend: created once, found again, revocation makes the next CRL.
async fn ca_over_the_store(store: &Store) {
    let master = MasterKey::from_bytes([7; 32]);
    let now = T0 + 2 * 86_400;
    let (ca, created) = Ca::load_or_create(
        store,
        &master,
        CaAlgorithm::P256,
        "https://ca.example/",
        now,
    )
    .await
    .unwrap();
    assert!(created);
    assert_eq!(ca.crl_url(), "https://ca.example/v1/ca/crl");
    let (again, created) =
        Ca::load_or_create(store, &master, CaAlgorithm::P256, "https://ca.example", now)
            .await
            .unwrap();
    assert!(!created);
    assert_eq!(again.root().der(), ca.root().der());
    assert_eq!(again.issuing().der(), ca.issuing().der());
    // another master key does not open what is stored
    let wrong = Ca::load_or_create(
        store,
        &MasterKey::from_bytes([8; 32]),
        CaAlgorithm::P256,
        "https://ca.example",
        now,
    )
    .await
    .unwrap_err();
    assert!(matches!(wrong, CaError::Wrap(_)), "{wrong:?}");

    store
        .insert_certificate(&new_certificate("0c0d", &[0x30, 4]))
        .await
        .unwrap();
    ca.revoke("0C:0D", RevocationReason::KeyCompromise, now)
        .await
        .unwrap();
    let crl = store.crl_state().await.unwrap().unwrap();
    assert_eq!(crl.crl_number, 102);
    assert_eq!(crl.this_update, now);
    // fresh: served from the store
    assert_eq!(ca.crl(now + 60).await.unwrap(), crl.der);
    assert!(
        store
            .revoked_certificates()
            .await
            .unwrap()
            .iter()
            .any(|r| r.serial == "0c0d" && r.reason == "keyCompromise")
    );

    // two replicas (two CA instances, one store) revoking at once: each CRL number is used
    // once and the newest CRL lists both revocations
    for serial in ["0e01", "0e02"] {
        store
            .insert_certificate(&new_certificate(serial, &[0x30, 5]))
            .await
            .unwrap();
    }
    let (a, b) = tokio::join!(
        ca.revoke("0e01", RevocationReason::Superseded, now + 120),
        again.revoke("0e02", RevocationReason::Superseded, now + 120),
    );
    a.unwrap();
    b.unwrap();
    let newest = store.crl_state().await.unwrap().unwrap();
    assert_eq!(newest.crl_number, 104);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("crl.der"), &newest.der).unwrap();
    let out = std::process::Command::new("openssl")
        .args(["crl", "-inform", "DER", "-noout", "-text", "-in"])
        .arg(dir.path().join("crl.der"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for serial in ["0C0D", "0E01", "0E02"] {
        assert!(text.contains(&format!("Serial Number: {serial}")), "{text}");
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

#[tokio::test]
async fn sqlite_memory() {
    suite(Store::open_memory().await.unwrap()).await;
}

#[tokio::test]
async fn sqlite_file_reopens_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite3");
    suite(Store::open_sqlite(&path).await.unwrap()).await;
    let again = Store::open_sqlite(&path).await.unwrap();
    assert_eq!(again.list_organizations().await.unwrap().len(), 2);
    let url = format!("sqlite:{}", path.display());
    assert_eq!(Store::connect(&url).await.unwrap().backend_name(), "sqlite");
}

#[tokio::test]
async fn postgres() {
    let Some(cluster) = support::pg::PgCluster::start() else {
        return;
    };
    let url = cluster.database("tessera_suite").await;
    let store = Store::connect(&url).await.unwrap();
    assert_eq!(store.backend_name(), "postgres");
    suite(store).await;
    // reconnecting finds the data and applies no migration twice
    let again = Store::connect(&url).await.unwrap();
    assert_eq!(again.list_projects(None).await.unwrap().len(), 3);
    again.close().await;
}

/// The migrations before `0041_cloud_key_shares` of `dialect`, in a folder of their own.
fn migrations_before_0041(dialect: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(dialect);
    for entry in std::fs::read_dir(&from).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.as_str() < "0041" {
            std::fs::copy(&path, dir.path().join(&name)).unwrap();
        }
    }
    dir
}

/// An account with a key as today's code stored it before 0041: d2 sealed in
/// `cloud_accounts.sealed_share`.
const OLD_ACCOUNT: &str = "INSERT INTO cloud_accounts (id, org, user_id, name, password_hash, \
     status, public_key, sealed_share, created_at, updated_at) \
     VALUES ('old-acct', 'ORG', 'U9', 'Old', '$argon2id$x', 'approved', $1, $2, 1, 2)";

/// After 0041 the share written before it is read, used and counted; the account reads too.
async fn old_share_is_read(store: Store) {
    let own = ShareKey::own("old-acct");
    let row = store.cloud_key_share(&own).await.unwrap().unwrap();
    assert_eq!(
        (row.sealed_share.as_slice(), row.uses, row.created_at),
        (&b"old-sealed"[..], 0, 2)
    );
    let account = store.cloud_account("old-acct").await.unwrap().unwrap();
    assert_eq!(account.public_key.as_deref(), Some(&b"old-public"[..]));
    let answers = store
        .admit_device_requests(
            &[DeviceRequest {
                nonce: [9; 16],
                expires_at: T0,
                share: Some(own.clone()),
            }],
            T0,
        )
        .await
        .unwrap();
    assert_eq!(
        answers,
        [Admission::Admitted {
            sealed_share: Some(b"old-sealed".to_vec())
        }]
    );
    assert_eq!(store.cloud_key_share(&own).await.unwrap().unwrap().uses, 1);
    store.close().await;
}

#[tokio::test]
async fn sqlite_shares_written_before_0041_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite3");
    let old = migrations_before_0041("sqlite");
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true);
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    sqlx::migrate::Migrator::new(old.path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    sqlx::query(OLD_ACCOUNT)
        .bind(&b"old-public"[..])
        .bind(&b"old-sealed"[..])
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    old_share_is_read(Store::open_sqlite(&path).await.unwrap()).await;
}

#[tokio::test]
async fn postgres_shares_written_before_0041_are_read() {
    let Some(cluster) = support::pg::PgCluster::start() else {
        return;
    };
    let url = cluster.database("tessera_old_shares").await;
    let old = migrations_before_0041("postgres");
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    sqlx::migrate::Migrator::new(old.path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    sqlx::query(OLD_ACCOUNT)
        .bind(&b"old-public"[..])
        .bind(&b"old-sealed"[..])
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    old_share_is_read(Store::connect(&url).await.unwrap()).await;
}

#[tokio::test]
async fn unsupported_url() {
    assert!(matches!(
        Store::connect("mysql://x").await,
        Err(StoreError::UnsupportedUrl)
    ));
}
