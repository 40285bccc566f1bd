public import Prometheus
import LedgerCore

/// The node's Prometheus metrics, in its own registry (so several nodes in one process, as in
/// tests, do not mix). `serve` also hands this registry to swift-metrics for library metrics.
public final class NodeMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    /// Records appended (new ones; idempotent repeats do not count).
    let appends: Counter
    /// Append requests by outcome: `ok`, `refused` (4xx), `failed` (storage).
    let requestsOK: Counter
    let requestsRefused: Counter
    let requestsFailed: Counter
    /// Time from a request's arrival at the writer to its durable commit.
    let appendLatency: DurationHistogram
    /// Events per group commit: how many requests share one LMDB commit.
    let groupSize: ValueHistogram
    /// The ledger's head seq.
    let headSeq: Gauge

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        appends = registry.makeCounter(name: "doppelledger_appends_total", help: "Records appended (idempotent repeats not counted).")
        requestsOK = registry.makeCounter(name: "doppelledger_append_requests_total", labels: [("outcome", "ok")], help: "Append requests by outcome.")
        requestsRefused = registry.makeCounter(name: "doppelledger_append_requests_total", labels: [("outcome", "refused")], help: "Append requests by outcome.")
        requestsFailed = registry.makeCounter(name: "doppelledger_append_requests_total", labels: [("outcome", "failed")], help: "Append requests by outcome.")
        appendLatency = registry.makeDurationHistogram(
            name: "doppelledger_append_duration_seconds",
            buckets: [.microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
                      .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5)],
            help: "Time from an append request reaching the writer to its durable commit.")
        groupSize = registry.makeValueHistogram(
            name: "doppelledger_group_commit_events", buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 1024, 4096, 16384],
            help: "Events committed together in one LMDB transaction.")
        headSeq = registry.makeGauge(name: "doppelledger_head_seq", help: "The ledger's last seq.")
    }

    /// The lag gauge of `peer`: records of the peer's signed stream head not (yet) in the mirror.
    func peerLag(_ peer: String) -> Gauge {
        registry.makeGauge(name: "doppelledger_peer_lag_records", labels: [("peer", peer)],
                           help: "Records of the peer's signed stream head missing from the mirror after the last sync.")
    }

    /// When the mirror of `peer` was last confirmed current (seconds since 1970).
    func peerLastSync(_ peer: String) -> Gauge {
        registry.makeGauge(name: "doppelledger_peer_last_sync_timestamp_seconds", labels: [("peer", peer)],
                           help: "When the last sync from the peer succeeded.")
    }

    /// Syncs refused because the peer's history changed or did not verify.
    func peerRefusals(_ peer: String) -> Counter {
        registry.makeCounter(name: "doppelledger_peer_sync_refusals_total", labels: [("peer", peer)],
                             help: "Syncs refused: a fork, a broken chain or a bad signature.")
    }

    /// The Prometheus text exposition.
    public func render() -> [UInt8] {
        registry.emitToBuffer()
    }
}
