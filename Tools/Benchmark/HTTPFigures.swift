import AsyncHTTPClient
import Dispatch
import Hummingbird
import LedgerCore
import LedgerNode
import LedgerStore
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// HTTP appends against a real node (``buildApplication(node:host:port:onServerRunning:)`` on a
/// loopback port, its group-committing writer, a clerk's bearer token) started in the figure's
/// process on the large ledger; the clients (AsyncHTTPClient, one connection each) run in the
/// same process, so they share its two cores with the node.
enum HTTPFigures {
    static let token = "bench-clerk-token-0123456789"

    /// Single events: first one client sending requests one after the other (what one append
    /// costs over HTTP), then `httpClients` clients at once (throughput, latency under load).
    static func single(_ s: Settings, _ m: inout Metrics) throws {
        try withNode(s, seed: 0x4771, numberOffset: 2_000_000, into: &m) { bodies, url, client in
            let sequential = try await send(bodies.next(s.httpSequentialRequests, batch: 1), clients: 1, url: url, client: client)
            let load = try await send(bodies.next(s.httpClients * s.httpSingleRequestsPerClient, batch: 1),
                                      clients: s.httpClients, url: url, client: client)
            return [
                ("sequentialP50", sequential.latencies.percentile(50)), ("sequentialP99", sequential.latencies.percentile(99)),
                ("requests", Double(load.latencies.samples.count)), ("events", Double(load.events)),
                ("p50", load.latencies.percentile(50)), ("p99", load.latencies.percentile(99)),
                ("eventsPerSecond", Double(load.events) / load.seconds),
            ]
        }
    }

    /// Batches of `httpBatchSize` events per request from `httpClients` clients at once.
    static func batches(_ s: Settings, _ m: inout Metrics) throws {
        try withNode(s, seed: 0x4772, numberOffset: 4_000_000, into: &m) { bodies, url, client in
            let load = try await send(bodies.next(s.httpClients * s.httpBatchRequestsPerClient, batch: s.httpBatchSize),
                                      clients: s.httpClients, url: url, client: client)
            return [
                ("requests", Double(load.latencies.samples.count)), ("events", Double(load.events)),
                ("batchSize", Double(s.httpBatchSize)),
                ("p50", load.latencies.percentile(50)), ("p99", load.latencies.percentile(99)),
                ("eventsPerSecond", Double(load.events) / load.seconds),
            ]
        }
    }

    /// Request bodies of new HoursBooked events on the large ledger's Kontrakte, made before
    /// anything is timed.
    final class Bodies: @unchecked Sendable {
        private var source: BenchEvents
        private var number: Int

        init(records: Int, seed: UInt64, firstNumber: Int) {
            source = BenchEvents(total: records, seed: seed)
            number = firstNumber
        }

        /// `count` request bodies: a single event object each, or an array of `batch` events.
        func next(_ count: Int, batch: Int) -> Requests {
            var out = Requests()
            for _ in 0..<count {
                var items: [JSON] = []
                for _ in 0..<batch {
                    let e = source.hoursBooked(number: number)
                    number += 1
                    var o = JSONObject([("type", .string(e.type)), ("key", .string(e.key)), ("data", .object(e.data))])
                    if let actor = e.actor { o["actor"] = .string(actor) }
                    items.append(.object(o))
                }
                out.bodies.append(CanonicalWriter.encode(batch == 1 ? items[0] : .array(items)))
                out.events.append(batch)
            }
            return out
        }
    }

    struct Requests: Sendable {
        var bodies: [[UInt8]] = []
        var events: [Int] = []
    }

    struct Load: Sendable {
        var latencies = Latencies()
        var events = 0
        var seconds = 0.0
    }

    /// Sends `requests` from `clients` concurrent clients (client `c` sends requests c, c + clients, …),
    /// each request timed; every answer must be 201 Created.
    static func send(_ requests: Requests, clients: Int, url: String, client: HTTPClient) async throws -> Load {
        let start = nowNanos()
        let perClient = try await withThrowingTaskGroup(of: [Double].self) { group in
            for c in 0..<clients {
                group.addTask {
                    var latencies: [Double] = []
                    var i = c
                    while i < requests.bodies.count {
                        var request = HTTPClientRequest(url: url + "/v1/events")
                        request.method = .POST
                        request.headers.add(name: "Authorization", value: "Bearer \(token)")
                        request.headers.add(name: "Content-Type", value: "application/json")
                        request.body = .bytes(ByteBuffer(bytes: requests.bodies[i]))
                        let sent = nowNanos()
                        let response = try await client.execute(request, timeout: .seconds(300))
                        let answer = try await response.body.collect(upTo: 64 << 20)
                        latencies.append(Double(nowNanos() - sent) / 1e9)
                        guard response.status.code == 201 else {
                            throw BenchError("POST /v1/events answered \(response.status.code): \(String(buffer: answer).prefix(300))")
                        }
                        i += clients
                    }
                    return latencies
                }
            }
            var all: [[Double]] = []
            for try await l in group { all.append(l) }
            return all
        }
        var load = Load()
        load.seconds = Double(nowNanos() - start) / 1e9
        for l in perClient { for t in l { load.latencies.add(t) } }
        load.events = requests.events.reduce(0, +)
        return load
    }

    /// Starts the node on the large ledger on a loopback port, connects `httpClients` clients
    /// (one untimed request each), runs `body`, shuts the node down gracefully and records the
    /// metrics `body` returns.
    static func withNode(_ s: Settings, seed: UInt64, numberOffset: Int, into m: inout Metrics,
                         _ body: @escaping @Sendable (Bodies, String, HTTPClient) async throws -> [(String, Double)]) throws {
        let ledger = try Ledger.open(at: s.bigLedger, policy: LogFigures.policy)
        let before = try ledger.head().seq
        let config = NodeConfig(tokens: [.init(name: "bench-clerks", token: token, role: .clerk)])
        let node = try Node(ledger: ledger, config: config, logger: NodeProcess.silentLogger)
        let bodies = Bodies(records: s.records, seed: seed, firstNumber: Int(before) + numberOffset)
        let clients = s.httpClients
        let warmUp = bodies.next(clients, batch: 1)
        let metrics = try runBlocking { () async throws -> [(String, Double)] in
            var configuration = HTTPClient.Configuration()
            configuration.connectionPool = .init(idleTimeout: .seconds(120), concurrentHTTP1ConnectionsPerHostSoftLimit: clients)
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            do {
                let result = try await withLiveNode(node) { url in
                    _ = try await send(warmUp, clients: clients, url: url, client: client)
                    return try await body(bodies, url, client)
                }
                try await client.shutdown()
                return result
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
        for (name, value) in metrics { m.set(name, value) }
        let appended = try ledger.head().seq - before
        let expected = (metrics.first { $0.0 == "events" }?.1).map { Int($0) } ?? 0
        // The warm-up, the sequential phase (if any) and the load: every event acknowledged is in the log.
        guard appended >= UInt64(expected + clients) else {
            throw BenchError("the node acknowledged more events than the ledger holds (\(appended) appended)")
        }
        m.set("appended", Double(appended))
    }

    /// Runs the node's real application on an ephemeral loopback port for the duration of `body`.
    static func withLiveNode<R: Sendable>(_ node: Node, _ body: @escaping @Sendable (String) async throws -> R) async throws -> R {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = try buildApplication(node: node, host: "127.0.0.1", port: 0) { port in continuation.yield(port) }
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
}

/// Runs `body` on the concurrency pool and blocks this (non-pool) thread until it is done.
func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try box.result!.get()
}

private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}
