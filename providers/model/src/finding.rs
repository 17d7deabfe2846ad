//! What a diff concludes about each resource.

use crate::Kind;
use serde::{Deserialize, Serialize};

/// The one state each resource in scope ends in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Declared and live agree after normalization.
    InSync,
    /// Both exist and differ in the listed fields.
    Changed,
    /// Declared but not live.
    Missing,
    /// Live in a managed scope but not declared.
    Unmanaged,
    /// Could not be read; the scan is incomplete.
    Unchecked,
}

impl State {
    pub const ALL: [State; 5] = [
        State::InSync,
        State::Changed,
        State::Missing,
        State::Unmanaged,
        State::Unchecked,
    ];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            State::InSync => "in_sync",
            State::Changed => "changed",
            State::Missing => "missing",
            State::Unmanaged => "unmanaged",
            State::Unchecked => "unchecked",
        }
    }

    /// Whether this state is drift (as opposed to in sync or not read).
    #[must_use]
    pub fn is_drift(self) -> bool {
        matches!(self, State::Changed | State::Missing | State::Unmanaged)
    }
}

/// One field that differs: where, what Git says, what is live. Values are shown
/// as the user wrote them (or as the cloud returned them), never in an
/// internal form; secrets appear only masked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// Stable, readable path: `taskDefinition.containerDefinitions[api].image`.
    /// Lists of named things are keyed by name, never by index.
    pub path: String,
    /// `null` where the field is not declared.
    pub declared: serde_json::Value,
    /// `null` where the field is not live.
    pub live: serde_json::Value,
    /// `file:line` of the field in the declaration, where it is written
    /// there (not for a default or a field held elsewhere).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

/// The verdict on one resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub scope: String,
    pub mode: String,
    pub kind: Kind,
    pub id: String,
    pub state: State,
    /// The cloud the resource lives in, from the config's target that holds
    /// it (never from the id's spelling).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud: Option<crate::Cloud>,
    /// `file:line` of the declaration, relative to the config file's directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared_at: Option<String>,
    /// The Terraform address of the declaration, when it came from a state
    /// (`module.dns.aws_route53_record.this["api"]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<Change>,
    /// Fields a rule told driftgate to ignore that did differ.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignored: Vec<String>,
    /// Why the resource could not be checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What the resource is, in a few words (unmanaged and missing ones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub what: Option<String>,
    /// A name people know it by, beside an id of cloud ids (`group web`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// For an unmanaged resource: the file its declaration would go in
    /// (the one that declares its siblings, else the one import writes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declare_in: Option<String>,
    /// The id live has, where it differs from `id`: a field that is part of
    /// the id (a firewall rule's peer) was edited by hand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live_id: Option<String>,
    /// Who changed it (`check --blame`). Boxed, as are `suggest` and
    /// `sides`: most findings (in sync) have none, and a report of 100,000
    /// findings holds 100,000 of this struct.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blame: Option<Box<Blame>>,
    /// The two ways out (`check --suggest`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggest: Option<Box<Suggestion>>,
    /// Both sides of a drifted resource as the lines the diff formats
    /// compare (fields left out of the comparison left out here too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sides: Option<Box<Sides>>,
}

/// The declared and live sides of a drifted resource, one line a field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Sides {
    #[serde(default)]
    pub declared: Vec<String>,
    #[serde(default)]
    pub live: Vec<String>,
}

impl Sides {
    /// The unified diff of the two sides (no headers), `context` lines
    /// around each change.
    #[must_use]
    pub fn texts(&self) -> (String, String) {
        let join = |l: &[String]| {
            if l.is_empty() {
                String::new()
            } else {
                l.join("\n") + "\n"
            }
        };
        (join(&self.declared), join(&self.live))
    }
}

/// Both ways out of a drift: revert live to Git, or adopt live into Git.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    /// Commands that would set live back to the declared state, in order.
    /// driftgate never runs them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revert: Vec<String>,
    /// The command that rewrites the declared files to match live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adopt: Option<String>,
    /// The patch that command writes (unified diff).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patch: Option<String>,
    /// What either way leaves to a person.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// One write event from the cloud's audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrailEvent {
    /// RFC 3339, UTC.
    pub time: String,
    /// Who: the principal's ARN.
    pub principal: String,
    /// The API call, e.g. `UpdateService`.
    pub call: String,
    /// Whether it came from the web console.
    pub console: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ip: Option<String>,
}

/// The commit that last set a declared line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Commit {
    pub hash: String,
    pub author: String,
    /// RFC 3339, UTC.
    pub date: String,
    pub subject: String,
}

/// Who changed a resource, on both sides.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Blame {
    /// Cloud-side write events since the declared value was committed, newest first.
    #[serde(default)]
    pub events: Vec<TrailEvent>,
    /// The commit that last set the declared file's line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<Commit>,
    /// Why a side is unknown (no audit log for this kind, a failed lookup, no git).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Count of findings per state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub in_sync: usize,
    pub changed: usize,
    pub missing: usize,
    pub unmanaged: usize,
    pub unchecked: usize,
}

impl Summary {
    #[must_use]
    pub fn of(findings: &[Finding]) -> Summary {
        let mut s = Summary::default();
        for f in findings {
            *s.slot(f.state) += 1;
        }
        s
    }

    fn slot(&mut self, state: State) -> &mut usize {
        match state {
            State::InSync => &mut self.in_sync,
            State::Changed => &mut self.changed,
            State::Missing => &mut self.missing,
            State::Unmanaged => &mut self.unmanaged,
            State::Unchecked => &mut self.unchecked,
        }
    }

    #[must_use]
    pub fn get(&self, state: State) -> usize {
        match state {
            State::InSync => self.in_sync,
            State::Changed => self.changed,
            State::Missing => self.missing,
            State::Unmanaged => self.unmanaged,
            State::Unchecked => self.unchecked,
        }
    }
}
