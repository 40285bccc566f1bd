public import Prometheus

/// The node's Prometheus metrics, in its own registry (so several nodes in one process, as in
/// tests, do not mix). `serve` also hands this registry to swift-metrics for library metrics.
public final class NodeMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    /// Records appended (new ones; idempotent repeats do not count).
    let appends: Prometheus.Counter
    /// Append requests by outcome: `ok`, `refused` (4xx), `failed` (storage).
    let requestsOK: Prometheus.Counter
    let requestsRefused: Prometheus.Counter
    let requestsFailed: Prometheus.Counter
    /// Time from a request's arrival at the writer to its durable commit.
    let appendLatency: DurationHistogram
    /// Events per group commit: how many requests share one LMDB commit.
    let groupSize: ValueHistogram
    /// The ledger's head seq.
    let headSeq: Prometheus.Gauge

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        appends = registry.makeCounter(descriptor: Self.name("appends", "total", "Records appended (idempotent repeats not counted)."))
        requestsOK = registry.makeCounter(descriptor: Self.name("append_requests", "total", "Append requests by outcome."), labels: [("outcome", "ok")])
        requestsRefused = registry.makeCounter(descriptor: Self.name("append_requests", "total", "Append requests by outcome."), labels: [("outcome", "refused")])
        requestsFailed = registry.makeCounter(descriptor: Self.name("append_requests", "total", "Append requests by outcome."), labels: [("outcome", "failed")])
        appendLatency = registry.makeDurationHistogram(
            descriptor: Self.name("append_duration", "seconds", "Time from an append request reaching the writer to its durable commit."),
            buckets: [.microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
                      .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5)])
        groupSize = registry.makeValueHistogram(descriptor: Self.name("group_commit", "events", "Events committed together in one LMDB transaction."), buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 1024, 4096, 16384])
        headSeq = registry.makeGauge(descriptor: Self.name("head", "seq", "The ledger's last seq."))
    }

    /// The lag gauge of `peer`: records of the peer's signed stream head not (yet) in the mirror.
    func peerLag(_ peer: String) -> Prometheus.Gauge {
        registry.makeGauge(descriptor: Self.name("peer_lag", "records", "Records of the peer's signed stream head missing from the mirror after the last sync."), labels: [("peer", peer)])
    }

    /// When the mirror of `peer` was last confirmed current (seconds since 1970).
    func peerLastSync(_ peer: String) -> Prometheus.Gauge {
        registry.makeGauge(descriptor: Self.name("peer_last_sync_timestamp", "seconds", "When the last sync from the peer succeeded."), labels: [("peer", peer)])
    }

    /// Syncs refused because the peer's history changed or did not verify.
    func peerRefusals(_ peer: String) -> Prometheus.Counter {
        registry.makeCounter(descriptor: Self.name("peer_sync_refusals", "total", "Syncs refused: a fork, a broken chain or a bad signature."), labels: [("peer", peer)])
    }

    /// `doppelledger_<metric>_<unit>` with its help text.
    private static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "doppelledger", metricName: metric, unitName: unit, helpText: help)
    }

    /// The Prometheus text exposition.
    public func render() -> [UInt8] {
        registry.emitToBuffer()
    }
}
