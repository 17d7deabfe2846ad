//! The clouds driftgate reads. Every finding says which one its resource
//! lives in, so that what follows (revert commands, audit log lookups,
//! adoption) is chosen by that, never guessed from how an id is spelled.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A cloud, spelled in reports as lower case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cloud {
    Aws,
    Gcp,
    Azure,
}

impl Cloud {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Cloud::Aws => "aws",
            Cloud::Gcp => "gcp",
            Cloud::Azure => "azure",
        }
    }
}

impl fmt::Display for Cloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
