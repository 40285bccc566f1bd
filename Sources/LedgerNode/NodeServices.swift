import AsyncHTTPClient
import Logging
import ServiceLifecycle
import LedgerStore

/// Closes the node's writer on graceful shutdown. Listed first among the application's
/// services, it shuts down last: after the HTTP server has answered every request in flight,
/// so nothing acknowledged is lost and nothing taken is dropped.
struct NodeService: Service {
    let node: Node

    func run() async throws {
        try? await gracefulShutdown()
        await node.close()
        node.logger.info("writer closed; every acknowledged append is committed")
    }
}

/// Pulls from every configured peer every `syncIntervalSeconds`, inside `serve`.
struct PeerSyncService: Service {
    let node: Node
    let intervalSeconds: Int

    func run() async throws {
        var clients: [(PeerSyncer, HTTPClient)] = []
        for peer in node.config.peers {
            do {
                let client = try PeerSyncer.makeClient(for: peer)
                clients.append((PeerSyncer(ledgerDirectory: node.ledger.directory, ownLedger: node.ledger.name, peer: peer,
                                           client: client, logger: node.logger, metrics: node.metrics), client))
            } catch {
                node.logger.error("peer left out of the periodic sync", metadata: ["peer": "\(peer.ledger)", "error": "\(error)"])
            }
        }
        while !Task.isShuttingDownGracefully {
            for (syncer, _) in clients {
                // Errors are logged (and counted) by the syncer; the next round tries again.
                _ = try? await cancelWhenGracefulShutdown { try await syncer.sync() }
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(intervalSeconds)) }
            } catch {
                break
            }
        }
        for (_, client) in clients { try? await client.shutdown() }
    }
}
