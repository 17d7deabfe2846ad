//! The one integration test binary: runs the real `driftgate` binary and
//! asserts exit code, stdout and stderr.
//!
//! - [`cli`]: the embedded demo (insta snapshots of every format), flags,
//!   bad input, offline snapshots.
//! - [`clouds`]: each finding's cloud comes from its target, never its id.
//! - [`moto`] (ECS), [`moto_dns`] (Route53), [`moto_firewall`] (security
//!   groups), [`moto_targets`] (regions, assumed roles) and
//!   [`moto_terraform`] (a Terraform state, local and in S3): end to end against a moto
//!   server that `scripts/test.sh` starts; these fail, never skip, when it
//!   is not running.
//! - [`secrets`]: values planted in every place a secret can sit never
//!   reach an output or a written file.
//! - [`faults`]: a fault-injecting proxy in front of moto: no fault ever
//!   gives exit 0 while anything was unread.

// A Terraform state written as one `json!` nests deeper than the default.
#![recursion_limit = "256"]

mod azure;
mod blame;
mod cli;
mod clouds;
mod common;
mod faults;
mod formats;
mod gcp;
mod moto;
mod moto_dns;
mod moto_firewall;
mod moto_targets;
mod moto_terraform;
mod proxy;
mod secrets;
mod terraform;
