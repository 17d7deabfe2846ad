//! Request pacing at AWS's documented API rate limits, per account.
//!
//! AWS throttles each account (per region, for regional APIs) with a token
//! bucket per API family: a burst capacity and a refill rate. Every scope and
//! every target of one account draws on the same bucket, so driftgate keeps
//! one bucket per account, region and family for the whole process: two
//! scopes reading one account share its quota, two accounts run side by side.
//! Throttling past this pace (other tools spend the same budget) is still
//! retried with backoff and jitter by the clients.
//!
//! The account is the one STS `GetCallerIdentity` names (asked once per
//! credentials, no IAM permission needed); when STS does not answer, the
//! credentials' access key stands in for it.

use aws_config::SdkConfig;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::sync::OnceCell;
use tokio::time::Instant;

/// An API family that AWS throttles as one bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// Route53, every action: five requests a second per account (global).
    Route53,
    /// ECS "service read actions" (ListServices, DescribeServices): a
    /// bucket of 100, refilled at 20 a second, per account and region.
    EcsServiceRead,
    /// ECS "task definition read actions" (DescribeTaskDefinition): 50,
    /// refilled at 20 a second, per account and region.
    EcsTaskDefinitionRead,
    /// EC2 DescribeSecurityGroups, a non-mutating action with its own
    /// bucket: 100, refilled at 20 a second, per account and region.
    Ec2DescribeSecurityGroups,
    /// CloudTrail LookupEvents: two a second per account and region.
    CloudTrailLookup,
}

impl Family {
    /// `(burst, refill per second)` as AWS documents them: the ECS API
    /// reference's "Request throttling", the EC2 developer guide's "Request
    /// throttling for the Amazon EC2 API", Route53's and CloudTrail's
    /// quotas pages. Route53 and CloudTrail state a plain rate: they are
    /// paced evenly (a burst of one).
    #[must_use]
    pub fn limits(self) -> (f64, f64) {
        match self {
            Family::Route53 => (1.0, route53_rate()),
            Family::EcsServiceRead | Family::Ec2DescribeSecurityGroups => (100.0, 20.0),
            Family::EcsTaskDefinitionRead => (50.0, 20.0),
            Family::CloudTrailLookup => (1.0, 2.0),
        }
    }

    /// Whether the quota is per region (all but Route53, a global service).
    #[must_use]
    pub fn regional(self) -> bool {
        !matches!(self, Family::Route53)
    }
}

/// Route53's rate: 5 a second, or `DRIFTGATE_ROUTE53_RPS`.
fn route53_rate() -> f64 {
    static RATE: OnceLock<f64> = OnceLock::new();
    *RATE.get_or_init(|| {
        std::env::var("DRIFTGATE_ROUTE53_RPS")
            .ok()
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|r| r.is_finite() && *r >= 0.0)
            .unwrap_or(5.0)
    })
}

/// Whether pacing is on: `DRIFTGATE_AWS_PACING=off` turns it off for
/// endpoints that are not AWS's own (a local emulator, a benchmark).
fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| {
        !std::env::var("DRIFTGATE_AWS_PACING")
            .is_ok_and(|v| matches!(v.as_str(), "off" | "0" | "false"))
    })
}

/// A token bucket that hands out reservations: each caller takes a token
/// now, or the time its token will have been refilled (tokens go negative,
/// so concurrent callers queue in order without holding a lock while they
/// wait).
#[derive(Debug, Clone)]
struct Bucket {
    tokens: f64,
    burst: f64,
    rate: f64,
    last: Instant,
}

impl Bucket {
    fn new((burst, rate): (f64, f64), now: Instant) -> Self {
        Bucket {
            tokens: burst,
            burst,
            rate,
            last: now,
        }
    }

    /// When the caller may send its request.
    fn reserve(&mut self, now: Instant) -> Instant {
        if self.rate <= 0.0 {
            return now;
        }
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        self.last = now;
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            now
        } else {
            now + Duration::from_secs_f64(-self.tokens / self.rate)
        }
    }
}

type Buckets = Mutex<HashMap<(String, String, Family), Bucket>>;

fn buckets() -> &'static Buckets {
    static B: OnceLock<Buckets> = OnceLock::new();
    B.get_or_init(Buckets::default)
}

type Accounts = Mutex<HashMap<String, Arc<OnceCell<Option<String>>>>>;

fn accounts() -> &'static Accounts {
    static A: OnceLock<Accounts> = OnceLock::new();
    A.get_or_init(Accounts::default)
}

/// The access key of `config`'s credentials, if it has any.
async fn access_key(config: &SdkConfig) -> Option<String> {
    use aws_credential_types::provider::ProvideCredentials;
    let provider = config.credentials_provider()?;
    let creds = provider.provide_credentials().await.ok()?;
    Some(creds.access_key_id().to_owned())
}

/// The account of `config`'s credentials, from STS, asked once per access
/// key for the whole process (shared by pacing and the report's metadata).
pub async fn account(config: &SdkConfig) -> Option<String> {
    let key = access_key(config).await?;
    let cell = accounts()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .entry(key)
        .or_default()
        .clone();
    cell.get_or_init(|| crate::sts::caller_account(config))
        .await
        .clone()
}

/// The pace of one provider's calls: its SDK configuration's account and
/// region, resolved on the first call.
#[derive(Debug, Clone)]
pub struct Pacer {
    config: SdkConfig,
    /// `(account key, region)`, once known.
    key: Arc<OnceCell<(String, String)>>,
}

impl Pacer {
    #[must_use]
    pub fn new(config: &SdkConfig) -> Self {
        Pacer {
            config: config.clone(),
            key: Arc::default(),
        }
    }

    /// A pacer whose account is known already: no STS call (a replay test,
    /// or a caller that asked STS itself).
    #[must_use]
    pub fn for_account(config: &SdkConfig, account: &str) -> Self {
        let region = config.region().map(ToString::to_string).unwrap_or_default();
        Pacer {
            config: config.clone(),
            key: Arc::new(OnceCell::new_with(Some((account.to_owned(), region)))),
        }
    }

    /// The account key the buckets are kept under: the account id, else
    /// the access key, else one shared key for "no credentials".
    pub async fn account_key(&self) -> String {
        self.key().await.0.clone()
    }

    async fn key(&self) -> &(String, String) {
        self.key
            .get_or_init(|| async {
                let account = match account(&self.config).await {
                    Some(a) => a,
                    None => access_key(&self.config)
                        .await
                        .map_or_else(|| "unknown".to_owned(), |k| format!("key:{k}")),
                };
                let region = self
                    .config
                    .region()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                (account, region)
            })
            .await
    }

    /// Waits for the next request slot of `family` in this account.
    pub async fn wait(&self, family: Family) {
        if !enabled() {
            return;
        }
        let (account, region) = self.key().await;
        let region = if family.regional() {
            region.clone()
        } else {
            String::new()
        };
        let slot = {
            let now = Instant::now();
            let mut all = buckets()
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            all.entry((account.clone(), region, family))
                .or_insert_with(|| Bucket::new(family.limits(), now))
                .reserve(now)
        };
        tokio::time::sleep_until(slot).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(b: &mut Bucket, start: Instant, ms: u64) -> u64 {
        let now = start + Duration::from_millis(ms);
        u64::try_from(b.reserve(now).duration_since(start).as_millis()).unwrap()
    }

    #[test]
    fn a_bucket_gives_its_burst_at_once_then_its_refill_rate() {
        let start = Instant::now();
        let mut b = Bucket::new((100.0, 20.0), start);
        for _ in 0..100 {
            assert_eq!(at(&mut b, start, 0), 0);
        }
        // The 101st waits one refill (50 ms), the next ones 50 ms apart.
        assert_eq!(at(&mut b, start, 0), 50);
        assert_eq!(at(&mut b, start, 0), 100);
        assert_eq!(at(&mut b, start, 0), 150);
        // After an idle second the bucket has refilled 20, less the 3 owed.
        assert_eq!(at(&mut b, start, 1150), 1150);
    }

    #[test]
    fn an_even_pace_spaces_every_call() {
        let start = Instant::now();
        let mut b = Bucket::new((1.0, 5.0), start);
        let slots: Vec<u64> = (0..6).map(|_| at(&mut b, start, 0)).collect();
        assert_eq!(slots, [0, 200, 400, 600, 800, 1000]);
        // Five calls in any second, never more.
        assert!(slots.windows(6).all(|w| w[5] - w[0] >= 1000));
    }

    #[test]
    fn route53_is_one_bucket_per_account_the_regional_apis_one_per_region() {
        assert!(!Family::Route53.regional());
        assert!(Family::EcsServiceRead.regional());
        assert_eq!(Family::EcsServiceRead.limits(), (100.0, 20.0));
        assert_eq!(Family::EcsTaskDefinitionRead.limits(), (50.0, 20.0));
        assert_eq!(Family::Ec2DescribeSecurityGroups.limits(), (100.0, 20.0));
        assert_eq!(Family::CloudTrailLookup.limits(), (1.0, 2.0));
    }
}
