//! driftgate's Azure provider.
//!
//! - [`config`]: the `[scope.azure]` section: subscription, resource group, zones.
//! - [`credential`]: bearer tokens for Azure Resource Manager, from the
//!   azure_identity credentials tried in order (client secret, workload
//!   identity, managed identity, Azure CLI), or a token given outright.
//! - [`dns`]: Azure DNS record sets through the REST API (api-version
//!   2018-05-01), paged by `nextLink`.
//! - [`nsg`]: network security groups' rules through the Network REST API.
//! - [`arm`]: Resource Manager list calls every service shares.
//! - [`blob`]: one blob (a Terraform state) from Azure Storage.

pub mod activity;
pub mod arm;
pub mod blob;
pub mod config;
pub mod credential;
pub mod dns;
pub mod nsg;

pub use credential::{IdentityChain, StaticToken, TokenSource};
pub use dns::AzureDnsProvider;
pub use nsg::AzureNsgProvider;
