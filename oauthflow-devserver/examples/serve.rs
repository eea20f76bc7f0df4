//! Runs the test provider until Ctrl-C (or until stdin closes), and prints what a client
//! needs: `cargo run -p oauthflow-devserver --example serve`.

use oauthflow_devserver::{DevProvider, clients, resources, users};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let started = std::time::Instant::now();
    let provider = match DevProvider::start().await {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    println!("issuer:    {}", provider.issuer());
    println!("started in {:?}", started.elapsed());
    println!("discovery: {}", provider.discovery_url());
    println!("user:      {} / {}", users::ALICE, users::ALICE_PASSWORD);
    println!("resources: {}", resources::ALL.join(", "));
    for c in clients::ALL {
        println!(
            "client:    {:<24} secret {:<22} {}",
            c.id,
            c.secret.unwrap_or("(public)"),
            c.redirect_uri.unwrap_or("")
        );
    }
    println!("press Ctrl-C (or close stdin) to stop");
    // Ctrl-C ends this process and node with it (same process group); so does EOF.
    tokio::task::spawn_blocking(|| {
        let mut sink = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut sink)
    })
    .await??;
    Ok(())
}
