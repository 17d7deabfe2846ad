//! driftgate's GCP provider.
//!
//! - [`config`]: the `[scope.gcp]` section: projects and networks.
//! - [`credential`]: OAuth tokens from Application Default Credentials
//!   (gcp_auth: a service account file, gcloud's user credentials, the
//!   metadata server), or a token given outright.
//! - [`firewall`]: VPC firewall rules through compute v1 `firewalls.list`.

pub mod audit;
pub mod config;
pub mod credential;
pub mod dns;
pub mod firewall;
pub mod storage;

pub use credential::{Adc, StaticToken, TokenSource};
pub use firewall::GcpFirewallProvider;
