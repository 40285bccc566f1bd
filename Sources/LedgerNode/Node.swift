public import LedgerStore
public import Logging
import Prometheus
public import LedgerCore

/// One side's running node: its ledger, its configuration, the single writer and the metrics.
///
/// The HTTP layer (``buildRouter(node:)``) and the peer sync share it. ``close()`` stops taking
/// appends, commits what was taken, and returns when the writer is done.
public final class Node: Sendable {
    public let ledger: Ledger
    public let config: NodeConfig
    public let metrics: NodeMetrics
    public let logger: Logger
    let tokens: TokenTable
    let committer: GroupCommitter

    public init(ledger: Ledger, config: NodeConfig, metrics: NodeMetrics = NodeMetrics(),
                logger: Logger = Logger(label: "doppelledger.node")) throws(ConfigError) {
        for (i, token) in config.tokens.enumerated() {
            if case .peer(let peer) = token.role, peer.side == ledger.name.side {
                throw ConfigError("tokens[\(i)].role \(token.role) names a ledger of this node's own side; a peer of \(ledger.name) is a \(ledger.name.side == .jugendamt ? "traeger" : "jugendamt"):<org> ledger")
            }
        }
        for (i, peer) in config.peers.enumerated() where peer.ledger.side == ledger.name.side {
            throw ConfigError("peers[\(i)].ledger \(peer.ledger) is of this node's own side; peers are the counterparties")
        }
        self.ledger = ledger
        self.config = config
        self.metrics = metrics
        var logger = logger
        logger[metadataKey: "ledger"] = .string(ledger.name.description)
        self.logger = logger
        tokens = TokenTable(tokens: config.tokens)
        committer = GroupCommitter(ledger: ledger, metrics: metrics, logger: logger,
                                   maxGroupEvents: max(config.limits.batchEvents, 1) * 2)
        if let head = try? ledger.head() { metrics.headSeq.set(Int64(head.seq)) }
    }

    /// Appends `events` atomically through the group-committing writer; returns after the commit.
    public func append(_ events: [NewEvent]) async throws -> [Ledger.Outcome] {
        try await committer.submit(events)
    }

    /// Stops taking appends and waits until every taken one is committed and answered.
    public func close() async {
        await committer.close()
    }
}
