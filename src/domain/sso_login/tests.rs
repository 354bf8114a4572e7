use super::*;

#[test]
fn registration_file_names_match_the_aws_cli() {
    // Each value computed by Python: hashlib.sha1(json.dumps(args, sort_keys=True).encode()).
    let scopes = vec!["sso:account:access".to_owned()];
    assert_eq!(
        registration_file_name(
            "https://corp.awsapps.example/start",
            "eu-west-1",
            Some(&scopes),
            Some("corp")
        ),
        "b492e4cac0e6c03efa9a74cfb0400a9e971a9a0e.json"
    );
    assert_eq!(
        registration_file_name("https://l.example/start", "us-east-1", None, None),
        "6e8b16f4b6af694a96748ecf59055c917ba98ebe.json"
    );
    let two = vec!["a".to_owned(), "b".to_owned()];
    assert_eq!(
        registration_file_name("https://x/é\"\\\n\u{7f}😀", "r", Some(&two), Some("s")),
        "a8bf81f2d827f76d843789b4645e13cef9d4c727.json"
    );
}

#[test]
fn the_pkce_challenge_is_the_s256_of_the_verifier() {
    let p = Pkce::from_random(&[7; 64]);
    assert_eq!(p.verifier.len(), 64);
    assert!(p
        .verifier
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    assert_eq!(
        p.challenge,
        base64url(&Sha256::digest(p.verifier.as_bytes()))
    );
    assert_eq!(p.challenge.len(), 43);
    assert!(!p.challenge.contains('='));
    // As Python computes it: base64.urlsafe_b64encode(hashlib.sha256(v).digest()), less its `=`.
    let v = "dBjftJeZ4CVP-mJ92K27uhbUJU1p1r_wW1gFWFOEjXk";
    assert_eq!(
        base64url(&Sha256::digest(v.as_bytes())),
        "ngF5GsXcbwljx6u133FFr3Xht9xooA_DuaX_3QwODtc"
    );
}

#[test]
fn the_authorize_link_carries_every_parameter_escaped() {
    let url = authorize_url(
        "http://127.0.0.1:9/",
        "cid",
        &redirect_uri(4242),
        "st",
        &[],
        "chal",
    );
    assert_eq!(
        url,
        "http://127.0.0.1:9/authorize?response_type=code&client_id=cid&redirect_uri=http%3A%2F%2F127.0.0.1%3A4242%2Foauth%2Fcallback&state=st&code_challenge_method=S256&scopes=sso%3Aaccount%3Aaccess&code_challenge=chal"
    );
    let two = ["a:b".to_owned(), "c".to_owned()];
    assert!(authorize_url("https://o", "c", "r", "s", &two, "x").contains("scopes=a%3Ab%20c&"));
}

#[test]
fn the_flow_follows_the_flag_the_session_and_the_display() {
    let desk = FlowEnv {
        display: true,
        ssh: false,
    };
    assert_eq!(choose_flow(true, false, desk), Flow::AuthCode);
    assert_eq!(choose_flow(true, true, desk), Flow::DeviceCode);
    assert_eq!(choose_flow(false, false, desk), Flow::DeviceCode);
    let ssh = FlowEnv {
        display: true,
        ssh: true,
    };
    assert_eq!(choose_flow(true, false, ssh), Flow::DeviceCode);
    assert_eq!(
        choose_flow(true, false, FlowEnv::default()),
        Flow::DeviceCode
    );
}

#[test]
fn callbacks_are_read_and_strangers_waited_past() {
    match read_callback("/oauth/callback?code=a%2Bb&state=s1") {
        Callback::Code { code, state } => {
            assert_eq!(code.as_str(), "a+b");
            assert_eq!(state, "s1");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        read_callback("/oauth/callback?error=access_denied&error_description=no+thanks"),
        Callback::Refused("access_denied: no thanks".into())
    );
    assert_eq!(read_callback("/favicon.ico"), Callback::Other);
    assert_eq!(read_callback("/oauth/callback?code=x"), Callback::Other);
    assert_eq!(
        read_callback("/oauth/callback?code=&state=s"),
        Callback::Other
    );
}

#[test]
fn registrations_are_reused_only_for_their_flow_and_before_their_end() {
    let now = parse_rfc3339("2026-12-01T00:00:00Z").unwrap();
    let reg = Registration {
        client_id: "c".into(),
        client_secret: Zeroizing::new("s".into()),
        expires_at: now + Duration::from_secs(86400),
        scopes: Some(vec![DEFAULT_SCOPE.into()]),
        grant_types: Some(AUTH_CODE_GRANTS.iter().map(|s| (*s).to_owned()).collect()),
    };
    let back = Registration::parse(&reg.to_json()).unwrap();
    assert_eq!(back.client_id, "c");
    assert_eq!(back.expires_at, reg.expires_at);
    assert!(back.usable(now, Flow::AuthCode));
    assert!(!back.usable(now, Flow::DeviceCode));
    assert!(!back.usable(now + Duration::from_secs(86400 - 600), Flow::AuthCode));
    let device = Registration {
        grant_types: None,
        ..back
    };
    assert!(device.usable(now, Flow::DeviceCode));
    assert!(!format!("{device:?}").contains("\"s\""));
    assert!(Registration::parse(b"{\"clientId\":\"c\"}").is_none());
}

#[test]
fn device_polls_slow_down_by_five_seconds_within_a_bound() {
    let mut p = DevicePoll::new(None);
    assert_eq!(p.interval, Duration::from_secs(5));
    p.slow_down();
    assert_eq!(p.interval, Duration::from_secs(10));
    assert_eq!(DevicePoll::new(Some(1)).interval, Duration::from_secs(1));
    assert_eq!(DevicePoll::new(Some(-3)).interval, Duration::from_secs(5));
    let mut big = DevicePoll::new(Some(1_000));
    big.slow_down();
    assert_eq!(big.interval, Duration::from_secs(60));
}

#[test]
fn the_token_file_has_the_aws_cli_fields() {
    let now = parse_rfc3339("2026-12-01T00:00:00Z").unwrap();
    let reg = Registration {
        client_id: "c".into(),
        client_secret: Zeroizing::new("s".into()),
        expires_at: now + Duration::from_secs(86400),
        scopes: None,
        grant_types: None,
    };
    let bytes = token_file("https://u", "eu-west-1", "tok", now, &reg, Some("ref"));
    let t = crate::domain::sso_token::CachedToken::parse(&bytes).unwrap();
    assert_eq!(t.access_token.as_str(), "tok");
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["expiresAt"], "2026-12-01T00:00:00Z");
    assert_eq!(v["registrationExpiresAt"], "2026-12-02T00:00:00Z");
    assert_eq!(v["refreshToken"], "ref");
    assert_eq!(v["startUrl"], "https://u");
}
