//! A fault-injecting HTTP proxy on loopback, in front of moto: it forwards
//! each request and breaks the answers of chosen API operations (by the
//! JSON target header, the REST path, or the Query form's Action).

use driftgate_model::replay::Request;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

/// What the proxy does to the answers of one API operation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Fault {
    /// A 200 whose body is cut in half (Content-Length says the cut size).
    Cut,
    /// A 200 with an empty body.
    Empty,
    /// HTTP 500 with no AWS error code.
    ServerError,
    /// The service's own access-denied answer.
    Denied,
    /// The connection is closed instead of answered, the first time only.
    ResetOnce,
    /// The connection is closed instead of answered, every time.
    ResetAlways,
    /// No answer for ten minutes.
    Stall,
    /// Three requests in ten (of every operation) answered with the
    /// service's throttling error.
    Throttle30,
}

/// The API operation a request is for, by protocol: the JSON target header
/// (ECS), the REST path (Route53), the form's Action (EC2).
pub(crate) fn operation(target: &str, headers: &[(String, String)], body: &[u8]) -> String {
    if let Some((_, t)) = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("x-amz-target"))
    {
        return t.rsplit('.').next().unwrap_or_default().to_owned();
    }
    if target.contains("/rrset") {
        return "ListResourceRecordSets".into();
    }
    if target.contains("/hostedzonesbyname") {
        return "ListHostedZonesByName".into();
    }
    let text = String::from_utf8_lossy(body);
    text.split('&')
        .find_map(|kv| kv.strip_prefix("Action="))
        .unwrap_or("?")
        .to_owned()
}

/// The service's own error answer: (status, content type, body).
pub(crate) fn error_answer(op: &str, fault: Fault) -> (u16, &'static str, String) {
    let ecs = matches!(
        op,
        "ListServices" | "DescribeServices" | "DescribeTaskDefinition"
    );
    let r53 = op.starts_with("List") && !ecs;
    let (status, code, msg) = match fault {
        Fault::Denied => (
            if r53 || !ecs { 403 } else { 400 },
            if ecs {
                "AccessDeniedException"
            } else if r53 {
                "AccessDenied"
            } else {
                "UnauthorizedOperation"
            },
            "not authorized to perform this operation",
        ),
        _ => (
            if ecs { 400 } else { 503 },
            if ecs {
                "ThrottlingException"
            } else if r53 {
                "Throttling"
            } else {
                "RequestLimitExceeded"
            },
            "Rate exceeded",
        ),
    };
    if ecs {
        (
            status,
            "application/x-amz-json-1.1",
            format!(r#"{{"__type":"{code}","message":"{msg}"}}"#),
        )
    } else if r53 {
        (
            status,
            "text/xml",
            format!(
                "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{msg}</Message></Error><RequestId>r</RequestId></ErrorResponse>"
            ),
        )
    } else {
        (
            status,
            "text/xml",
            format!(
                "<Response><Errors><Error><Code>{code}</Code><Message>{msg}</Message></Error></Errors><RequestID>r</RequestID></Response>"
            ),
        )
    }
}

/// A running proxy: its URL and how many requests each operation got.
pub(crate) struct Proxy {
    pub(crate) url: String,
    seen: Arc<Mutex<BTreeMap<String, usize>>>,
}

impl Proxy {
    pub(crate) fn start(upstream: String, faults: Vec<(&'static str, Fault)>) -> Proxy {
        let (tx, rx) = std::sync::mpsc::channel();
        let seen: Arc<Mutex<BTreeMap<String, usize>>> = Arc::default();
        let seen2 = seen.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx.send(format!("http://{}", listener.local_addr().unwrap()))
                    .unwrap();
                let shared = Arc::new(Shared {
                    upstream,
                    faults,
                    seen: seen2,
                    count: AtomicUsize::new(0),
                    http: {
                        driftgate_model::http::tls();
                        reqwest::Client::new()
                    },
                });
                while let Ok((stream, _)) = listener.accept().await {
                    tokio::spawn(connection(stream, shared.clone()));
                }
            });
        });
        Proxy {
            url: rx.recv().unwrap(),
            seen,
        }
    }

    pub(crate) fn count(&self, op: &str) -> usize {
        self.seen.lock().unwrap().get(op).copied().unwrap_or(0)
    }
}

pub(crate) struct Shared {
    upstream: String,
    faults: Vec<(&'static str, Fault)>,
    seen: Arc<Mutex<BTreeMap<String, usize>>>,
    count: AtomicUsize,
    http: reqwest::Client,
}

pub(crate) async fn connection(mut stream: TcpStream, shared: Arc<Shared>) {
    let mut buf = Vec::new();
    while let Some(req) = driftgate_model::replay::read_request(&mut stream, &mut buf).await {
        let Request {
            method,
            target,
            headers,
            body,
        } = req;
        let op = operation(&target, &headers, &body);
        let nth = {
            let mut seen = shared.seen.lock().unwrap();
            let n = seen.entry(op.clone()).or_default();
            *n += 1;
            *n
        };
        let overall = shared.count.fetch_add(1, Ordering::SeqCst);
        let fault = shared
            .faults
            .iter()
            .find(|(o, _)| *o == op || *o == "*")
            .map(|(_, f)| *f);
        let answer: (u16, String, Vec<u8>) = match fault {
            Some(Fault::ResetAlways) => return,
            Some(Fault::ResetOnce) if nth == 1 => return,
            Some(Fault::Stall) => {
                tokio::time::sleep(std::time::Duration::from_secs(600)).await;
                return;
            }
            Some(f @ (Fault::Denied | Fault::ServerError)) => {
                if f == Fault::ServerError {
                    (500, "text/plain".into(), b"Internal Server Error".to_vec())
                } else {
                    let (s, t, b) = error_answer(&op, f);
                    (s, t.into(), b.into_bytes())
                }
            }
            Some(Fault::Throttle30) if matches!(overall % 10, 0 | 3 | 6) => {
                let (s, t, b) = error_answer(&op, Fault::Throttle30);
                (s, t.into(), b.into_bytes())
            }
            _ => {
                let (status, ctype, mut data) =
                    forward(&shared, &method, &target, &headers, body).await;
                if status == 200 {
                    match fault {
                        Some(Fault::Cut) => data.truncate(data.len() / 2),
                        Some(Fault::Empty) => data.clear(),
                        _ => {}
                    }
                }
                (status, ctype, data)
            }
        };
        let (status, ctype, data) = answer;
        let head = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: {ctype}\r\ncontent-length: {}\r\nx-amzn-requestid: proxy\r\n\r\n",
            data.len()
        );
        if stream.write_all(head.as_bytes()).await.is_err()
            || stream.write_all(&data).await.is_err()
        {
            return;
        }
    }
}

pub(crate) async fn forward(
    shared: &Shared,
    method: &str,
    target: &str,
    headers: &[(String, String)],
    body: Vec<u8>,
) -> (u16, String, Vec<u8>) {
    let url = format!("{}{target}", shared.upstream);
    let mut req = shared
        .http
        .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), url)
        .body(body);
    for (k, v) in headers {
        if !["host", "content-length", "connection"].contains(&k.to_lowercase().as_str()) {
            req = req.header(k, v);
        }
    }
    let resp = req.send().await.expect("moto answers the proxy");
    let status = resp.status().as_u16();
    let ctype = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("text/plain")
        .to_owned();
    (status, ctype, resp.bytes().await.unwrap().to_vec())
}
