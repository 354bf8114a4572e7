//! A plain AWS SDK for Rust program: the SDK's default credential chain, then
//! `sts:GetCallerIdentity`, printing the account. The endpoint tests run it inside
//! `xrole-tui exec` to show that an SDK other than botocore finds the role through the
//! credential endpoint (`cargo test` builds it).

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    let conf = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    match aws_sdk_sts::Client::new(&conf)
        .get_caller_identity()
        .send()
        .await
    {
        Ok(out) => {
            println!("{}", out.account().unwrap_or_default());
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{}", xrole_tui::aws::error::describe(&e));
            std::process::ExitCode::FAILURE
        }
    }
}
