import ArgumentParser
import Foundation
import LedgerCore
import LedgerNode
import LedgerStore

/// `serve DIR --listen HOST:PORT --config FILE`: the ledger node (docs/NODE.md).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the ledger node: the HTTP API for clerks, the counterparty's node and auditors (docs/NODE.md).")

    @Argument(help: "The ledger folder.") var dir: String
    @Option(help: "HOST:PORT to listen on; port 0 picks a free port (printed once listening).") var listen = "127.0.0.1:8080"
    @Option(help: "The node's config file (JSON: tokens, TLS, peers; see docs/NODE.md). Default: DIR/node.json.") var config: String?

    func run() async throws {
        let (host, port) = try parseListen(listen)
        let nodeConfig = try loadNodeConfig(config ?? dir + "/node.json")
        let metrics = NodeMetrics()
        NodeProcess.bootstrap(metrics: metrics, environment: ProcessInfo.processInfo.environment)
        let ledger = try openLedger(dir)
        let node: Node
        do { node = try Node(ledger: ledger, config: nodeConfig, metrics: metrics) } catch { throw fail(error.message) }
        let scheme = nodeConfig.tls == nil ? "http" : "https"
        let shownHost = host.contains(":") ? "[\(host)]" : host
        let name = ledger.name.description
        do {
            try await runNode(node, host: host, port: port) { port in
                printLine("listening on \(scheme)://\(shownHost):\(port) as \(name)")
            }
        } catch let error as ConfigError {
            throw fail(error.message)
        } catch {
            throw fail("the node at \(listen) stopped: \(error)", status: Exit.failure)
        }
    }
}

/// `sync DIR --peer URL`: pull the counterparty's stream into DIR/mirrors/<peer ledger>/.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Pull the counterparty's stream concerning us, verify it, and store it as a mirror beside the ledger.")

    @Argument(help: "The ledger folder.") var dir: String
    @Option(help: "The peer's URL or ledger name, as listed under peers in the config.") var peer: String
    @Option(help: "The node's config file (its peers supply token and pinned key). Default: DIR/node.json.") var config: String?

    func run() async throws {
        let configPath = config ?? dir + "/node.json"
        let nodeConfig = try loadNodeConfig(configPath)
        guard let peerConfig = nodeConfig.peer(peer) else {
            throw fail("no peer \(peer) in \(configPath); add {\"ledger\", \"url\", \"token\", \"publicKey\"} under \"peers\"")
        }
        let ledger = try openLedger(dir)
        let report: SyncReport
        do {
            report = try await PeerSyncer.syncOnce(ledgerDirectory: dir, ownLedger: ledger.name, peer: peerConfig,
                                                   logger: NodeProcess.silentLogger)
        } catch let error as ConfigError {
            throw fail(error.message)
        } catch let error as SyncError {
            throw syncFailure(error, peer: peerConfig, prefix: "", configPath: configPath)
        }
        printLine("synced \(report.peer): \(report.added) new records; mirror at streamSeq \(report.head.streamSeq) "
                  + "(seq \(report.head.seq), hash \(report.head.hash.hex)) in \(report.mirrorDirectory)")
    }
}

/// `token --name NAME --role ROLE`: a new bearer token and its config entry.
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Make a new bearer token; prints it once, with the config entry that holds only its SHA-256.")

    @Option(help: "A name for logs, e.g. asd-clerks or caritas-node.") var name: String
    @Option(help: "clerk, auditor or peer:<ledger> (e.g. peer:traeger:caritas).") var role: String

    func run() throws {
        guard Role(role) != nil else { throw fail("--role must be clerk, auditor or peer:<ledger> (e.g. peer:traeger:caritas), got \"\(role)\"") }
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let token = bytes.map { String(format: "%02x", $0) }.joined()
        let entry = CanonicalWriter.string(["name": .string(name), "role": .string(role),
                                            "sha256": .string(Digest32.sha256(Array(token.utf8)).hex)])
        printLine("token: \(token)")
        printLine("config entry (under \"tokens\"): \(entry)")
        printError("hand the token over once, by a safe way; the node keeps only its hash")
    }
}

/// A sync that did not happen, as the command line says it: a refused peer exits 1 ("the check
/// found something"), a refused token or bad answer 2, an unreachable peer 3. `prefix` names the
/// option the peer was given to, if any.
func syncFailure(_ error: SyncError, peer: NodeConfig.Peer, prefix: String, configPath: String?, suffix: String = "") -> Failure {
    switch error {
    case .refused(let m):
        return Failure(status: Exit.found, message: "\(prefix)refused \(peer.ledger): \(m)\(suffix)")
    case .peerAnswered(let status, _) where status == 401 || status == 403:
        return fail("\(prefix)\(peer.ledger): \(error.description) (check the peer's token in \(configPath ?? "the config"))")
    case .peerAnswered, .transport:
        return fail("\(prefix)\(peer.ledger): \(error.description)", status: Exit.failure)
    }
}

func loadNodeConfig(_ path: String) throws -> NodeConfig {
    do { return try NodeConfig.load(path: path) } catch { throw fail(error.message) }
}

/// Splits `HOST:PORT` (`[::1]:8080` for IPv6).
func parseListen(_ text: String) throws -> (String, Int) {
    guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
        throw fail("--listen must be HOST:PORT like 127.0.0.1:8080, got \"\(text)\"")
    }
    var host = String(text[..<colon])
    if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    guard !host.isEmpty else { throw fail("--listen must name a host, e.g. 127.0.0.1:\(port) or 0.0.0.0:\(port)") }
    return (host, port)
}

/// `export DIR/mirrors/<peer>`: a mirror's records, exactly the peer's export lines of the stream.
func exportMirror(_ dir: String, stream: String?, asOf: Timestamp?, fromSeq: UInt64) throws {
    guard asOf == nil, fromSeq == 1 else { throw fail("--as-of and --from-seq do not apply to a mirror; export it whole") }
    let mirror = try MirrorStore.open(at: dir)
    if let stream, stream != mirror.stream { throw fail("the mirror at \(dir) holds stream \(mirror.stream), not \(stream)") }
    _ = try mirror.export(to: writeStdout)
}
