import AsyncHTTPClient
import Foundation
import Hummingbird
import LedgerCore
import LedgerStore
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Testing
@testable import LedgerNode

/// Ledgers, tokens, events and live servers for the node tests.
enum Fixture {
    static let jugendamtOrg = "trier-saarburg"

    // Tokens in clear; the configs hold only their hashes.
    static let clerk = "clerk-token-0123456789"
    static let auditor = "auditor-token-0123456789"
    static let caritasOnJugendamt = "caritas-on-ja-0123456789"
    static let diakonieOnJugendamt = "diakonie-on-ja-0123456789"
    static let jugendamtOnCaritas = "ja-on-caritas-0123456789"

    /// A fresh temporary folder (removed by the caller with `cleanUp`).
    static func tempDirectory() -> String {
        let path = NSTemporaryDirectory() + "dl-node-" + UUID().uuidString.prefix(8).lowercased()
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func cleanUp(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    static func jugendamt(in dir: String, name: String = "ja") throws -> Ledger {
        try Ledger.create(at: dir + "/" + name, side: .jugendamt, org: jugendamtOrg, jugendamt: nil, policy: DomainPolicy(views: Projector()))
    }

    static func traeger(in dir: String, org: String = "caritas") throws -> Ledger {
        try Ledger.create(at: dir + "/" + org, side: .traeger, org: org, jugendamt: jugendamtOrg, policy: DomainPolicy(views: Projector()))
    }

    /// The Jugendamt node's config: a clerk, an auditor, and the nodes of Caritas and Diakonie.
    static func jugendamtConfig(limits: NodeConfig.Limits = .init()) -> NodeConfig {
        NodeConfig(tokens: [
            .init(name: "asd-clerks", token: clerk, role: .clerk),
            .init(name: "pruefer", token: auditor, role: .auditor),
            .init(name: "caritas-node", token: caritasOnJugendamt, role: Role("peer:traeger:caritas")!),
            .init(name: "diakonie-node", token: diakonieOnJugendamt, role: Role("peer:traeger:diakonie")!),
        ], limits: limits)
    }

    /// A Träger node's config: a clerk, the auditor, and the Jugendamt's node.
    static func traegerConfig() -> NodeConfig {
        NodeConfig(tokens: [
            .init(name: "caritas-clerks", token: clerk, role: .clerk),
            .init(name: "pruefer", token: auditor, role: .auditor),
            .init(name: "jugendamt-node", token: jugendamtOnCaritas, role: Role("peer:jugendamt:\(jugendamtOrg)")!),
        ])
    }

    static func node(_ ledger: Ledger, _ config: NodeConfig) throws -> Node {
        try Node(ledger: ledger, config: config, logger: NodeProcess.silentLogger)
    }

    // MARK: - Events (valid domain events)

    static func signer(key: String = "s-1") -> String {
        #"{"type":"SignerAuthorized","key":"\#(key)","actor":"asd-07","data":{"signer":"asd-01","from":"2025-01-01"}}"#
    }

    static func kontrakt(key: String, id: String, traeger: String = "caritas", grantedMinutes: Int = 6000) -> String {
        #"{"type":"KontraktSigned","key":"\#(key)","actor":"asd-07","data":{"kontrakt":"\#(id)","fall":"f-\#(id)","sozialraum":"konz","traeger":"\#(traeger)","hilfeart":"30","funding":"personalisiert","grantedMinutes":\#(grantedMinutes),"validFrom":"2025-01-01","validTo":"2025-12-31","signedBy":"asd-01"}}"#
    }

    static func hours(key: String, booking: String, kontrakt: String, minutes: Int = 90) -> String {
        #"{"type":"HoursBooked","key":"\#(key)","data":{"booking":"\#(booking)","kontrakt":"\#(kontrakt)","date":"2025-02-03","minutes":\#(minutes)}}"#
    }

    static func prevention(key: String, booking: String, traeger: String = "caritas", minutes: Int = 60) -> String {
        #"{"type":"PreventionBooked","key":"\#(key)","data":{"booking":"\#(booking)","traeger":"\#(traeger)","sozialraum":"konz","date":"2025-03-04","minutes":\#(minutes),"category":"praevention"}}"#
    }

    static func events(_ lines: [String]) -> [NewEvent] {
        lines.map { try! NewEvent(json: try! JSONParser.parse($0)) }
    }

    // MARK: - Reading answers

    static func json(_ buffer: ByteBuffer) throws -> JSONObject {
        let parsed = try JSONParser.parse(Array(buffer: buffer))
        return try #require(parsed.object)
    }

    static func lines(_ buffer: ByteBuffer) throws -> [Record] {
        try String(buffer: buffer).split(separator: "\n").map { line in
            try Array(line.utf8).withUnsafeBytes { try Record(line: $0) }
        }
    }

    static func exportBytes(_ ledger: Ledger, stream: String? = nil) throws -> [UInt8] {
        var out = [UInt8]()
        _ = try ledger.export(stream: stream) { out.append(contentsOf: $0) }
        return out
    }

    static func exportBytes(_ mirror: MirrorStore) throws -> [UInt8] {
        var out = [UInt8]()
        _ = try mirror.export { out.append(contentsOf: $0) }
        return out
    }

    static func bearer(_ token: String) -> HTTPFields {
        [.authorization: "Bearer \(token)"]
    }

    // MARK: - Live servers on loopback

    /// Runs `app` on 127.0.0.1 (its port told through `ports`) for the duration of `body`, which
    /// gets the base URL; then shuts the app down gracefully.
    static func withLive<App: ApplicationProtocol, R: Sendable>(
        _ app: App, ports: AsyncStream<Int>, _ body: (String) async throws -> R
    ) async throws -> R {
        let group = ServiceGroup(configuration: .init(services: [app], logger: NodeProcess.silentLogger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            do {
                let result = try await body("http://127.0.0.1:\(port)")
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
        }
    }

    /// Runs the node's real application on an ephemeral loopback port.
    static func withLiveNode<R: Sendable>(_ node: Node, _ body: (String) async throws -> R) async throws -> R {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = try buildApplication(node: node, host: "127.0.0.1", port: 0) { port in continuation.yield(port) }
        return try await withLive(app, ports: ports, body)
    }

    // MARK: - HTTP over the network

    struct HTTPAnswer: Sendable {
        var status: Int
        var body: ByteBuffer
    }

    static func http(_ method: String, _ url: String, token: String?, body: String? = nil, timeout: TimeAmount = .seconds(30)) async throws -> HTTPAnswer {
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        return HTTPAnswer(status: Int(response.status.code), body: try await response.body.collect(upTo: 64 << 20))
    }
}
