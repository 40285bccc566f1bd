import Foundation
import LedgerCore
import LedgerNode
import LedgerStore

/// A reconciliation source given as a node URL: the stream concerning the counterparty, pulled
/// from that node the way `sync` pulls it (signed stream head checked with the pinned key, both
/// chains followed), into a scratch mirror that the reconciler then reads as an export.
///
/// The node's ledger name, the bearer token and the pinned public key come from a config file's
/// `peers` (the same entries `sync` uses; docs/NODE.md), never from the command line, so no token
/// shows up in a process list or a shell history.
struct NodeSource {
    /// The peer entry for the URL: ledger name, token, pinned key, CA.
    let peer: NodeConfig.Peer
    /// The config file it comes from (named in errors).
    let configPath: String

    /// Whether a source argument names a node rather than a folder or file.
    static func isURL(_ source: String) -> Bool {
        source.hasPrefix("http://") || source.hasPrefix("https://")
    }

    /// Looks `url` up among the peers of `configPath` for the `option` it was given to.
    static func resolve(_ url: String, option: String, configPath: String?, side: Side) throws -> NodeSource {
        guard let configPath else {
            throw fail("\(option) \(url) is a node URL: give --config FILE whose peers list it with its ledger, token and publicKey (docs/NODE.md)")
        }
        let config = try loadNodeConfig(configPath)
        guard let peer = config.peer(url) else {
            throw fail("\(option) \(url) is not among the peers in \(configPath); add {\"ledger\", \"url\", \"token\", \"publicKey\"} under \"peers\"")
        }
        guard peer.ledger.side == side else {
            throw fail("\(option) \(url) is \(peer.ledger) in \(configPath), not a \(side == .jugendamt ? "Jugendamt" : "Träger")'s node")
        }
        return NodeSource(peer: peer, configPath: configPath)
    }

    /// Pulls the stream concerning `counterparty` and verifies it; returns an export file of it
    /// (removed by the caller) in `scratch`, a folder of its own.
    func pull(counterparty: LedgerName, option: String, scratch: String) async throws -> String {
        let progress = Progress("fetching \(peer.ledger) from \(peer.url)")
        progress.update(0)
        defer { progress.done() }
        let report: SyncReport
        do {
            // A scratch "ledger folder" whose only content is the mirror sync fills.
            report = try await PeerSyncer.syncOnce(ledgerDirectory: scratch, ownLedger: counterparty, peer: peer,
                                                   logger: NodeProcess.silentLogger)
        } catch let error as ConfigError {
            throw fail(error.message)
        } catch let error as SyncError {
            throw syncFailure(error, peer: peer, prefix: "\(option) \(peer.url): ", configPath: configPath,
                              suffix: "; nothing was compared")
        } catch let error as MirrorError {
            throw fail("\(option) \(peer.url): \(error)", status: Exit.failure)
        }
        return try exportMirrorToTemporaryFile(report.mirrorDirectory)
    }
}
