public import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import NIOSSL
import Logging
import ServiceLifecycle

/// The node's router: every endpoint of CONTRACT section 7, behind ``NodeMiddleware``.
///
/// The views (`/v1/budget`, `/v1/kontrakte`, `/v1/reconciliation`) are whole-ledger reads:
/// clerks and auditors, never peers.
public func buildRouter(node: Node) -> Router<NodeRequestContext> {
    let router = Router(context: NodeRequestContext.self)
    router.middlewares.add(NodeMiddleware(tokens: node.tokens))
    OpsRoutes(node: node).register(on: router)
    EventRoutes(node: node).register(on: router)
    HeadRoutes(node: node).register(on: router)
    ViewRoutes(node: node).register(on: router)
    return router
}

/// The node as a Hummingbird application listening on `host:port` (port 0: any free port;
/// `onServerRunning` is told the port), with TLS when the config names certificate and key,
/// the writer's shutdown, and the periodic peer sync when configured.
///
/// Run it with `runService()` (graceful shutdown on SIGTERM and SIGINT), or drive it in tests
/// with HummingbirdTesting's `app.test(.router)` / `.live`.
public func buildApplication(node: Node, host: String = "127.0.0.1", port: Int = 8080,
                             onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }) throws -> some ApplicationProtocol {
    var services: [any Service] = [NodeService(node: node)]
    if let interval = node.config.syncIntervalSeconds, !node.config.peers.isEmpty {
        services.append(PeerSyncService(node: node, intervalSeconds: interval))
    }
    let server: HTTPServerBuilder
    if let tls = node.config.tls {
        let configuration: TLSConfiguration
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(tls.certificate).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: tls.privateKey, format: .pem)
            var tlsConfiguration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
            tlsConfiguration.minimumTLSVersion = .tlsv12
            configuration = tlsConfiguration
        } catch {
            throw ConfigError("cannot load the TLS certificate \(tls.certificate) or key \(tls.privateKey): \(error)")
        }
        server = try .tls(.http1(), tlsConfiguration: configuration)
    } else {
        server = .http1()
    }
    return Application(
        router: buildRouter(node: node),
        server: server,
        configuration: .init(address: .hostname(host, port: port), serverName: "doppelledger"),
        services: services,
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
        logger: node.logger
    )
}

/// Builds the application and runs it until SIGTERM or SIGINT, then shuts down gracefully:
/// requests in flight are answered, every acknowledged append is committed, the writer closed.
public func runNode(_ node: Node, host: String, port: Int,
                    onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }) async throws {
    let app = try buildApplication(node: node, host: host, port: port, onServerRunning: onServerRunning)
    try await app.runService()
}
