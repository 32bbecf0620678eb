//! `parley serve`: the workbench (`parley-serve`). It lives outside `commands/` because the
//! Python package compiles those modules and has no web server.

use crate::args::ServeArgs;
use crate::{Failure, Status};

pub(crate) fn run(args: &ServeArgs) -> Result<Status, Failure> {
    let listen = args
        .listen
        .unwrap_or_else(|| std::net::SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), args.port));
    if args.listen.is_some_and(|a| !a.ip().is_loopback()) {
        eprintln!(
            "parley: warning: listening on {listen}, not on loopback: anyone who can reach this address can read and write the scenario files the workbench serves"
        );
    }
    let options = parley_serve::Options {
        files: args.scenarios.clone(),
        dir: args.dir.clone(),
        listen: Some(listen),
        work: args.out.clone(),
    };
    parley_serve::serve(&options, |addr| {
        println!("parley workbench: http://{addr}/  (Ctrl-C stops it)");
    })
    .map_err(|e| Failure::Input(miette::miette!("{e}")))?;
    Ok(Status::Success)
}
