import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LedgerCore
import LedgerStore
import NIOCore
import Testing
@testable import LedgerNode

/// The real router, driven without a socket: auth, roles, problems, idempotency, reads.
@Suite struct RouterTests {
    /// Runs `body` against a fresh Jugendamt node's router.
    func withJugendamt(limits: NodeConfig.Limits = .init(), _ body: @escaping @Sendable (Ledger, any TestClientProtocol) async throws -> Void) async throws {
        let dir = Fixture.tempDirectory()
        defer { Fixture.cleanUp(dir) }
        let ledger = try Fixture.jugendamt(in: dir)
        let node = try Fixture.node(ledger, Fixture.jugendamtConfig(limits: limits))
        let app = try buildApplication(node: node)
        try await app.test(.router) { client in try await body(ledger, client) }
    }

    func post(_ client: any TestClientProtocol, _ body: String, token: String = Fixture.clerk, headers: HTTPFields = [:]) async throws -> TestResponse {
        var all = Fixture.bearer(token)
        all[.contentType] = "application/json"
        for field in headers { all[field.name] = field.value }
        return try await client.execute(uri: "/v1/events", method: .post, headers: all, body: ByteBuffer(string: body))
    }

    func expectProblem(_ response: TestResponse, _ status: Int, _ kind: String, field: String? = nil, index: Int? = nil,
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(Int(response.status.code) == status, sourceLocation: sourceLocation)
        #expect(response.headers[.contentType] == "application/problem+json", sourceLocation: sourceLocation)
        let problem = try Fixture.json(response.body)
        #expect(problem["type"] == .string(Problem.typePrefix + kind), sourceLocation: sourceLocation)
        #expect(problem["status"] == .int(Int64(status)), sourceLocation: sourceLocation)
        #expect(problem["title"]?.string?.isEmpty == false, sourceLocation: sourceLocation)
        #expect(problem["detail"]?.string?.isEmpty == false, sourceLocation: sourceLocation)
        if let field { #expect(problem["field"] == .string(field), sourceLocation: sourceLocation) }
        if let index { #expect(problem["index"] == .int(Int64(index)), sourceLocation: sourceLocation) }
    }

    @Test func healthNeedsNoTokenButEverythingElseDoes() async throws {
        try await withJugendamt { _, client in
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
            for uri in ["/v1/head", "/v1/events", "/metrics"] {
                let none = try await client.execute(uri: uri, method: .get)
                try expectProblem(none, 401, "unauthorized")
                #expect(none.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            }
            let wrong = try await client.execute(uri: "/v1/head", method: .get, headers: Fixture.bearer("not-a-token"))
            try expectProblem(wrong, 401, "unauthorized")
            let basic = try await client.execute(uri: "/v1/head", method: .get, headers: [.authorization: "Basic \(Fixture.clerk)"])
            try expectProblem(basic, 401, "unauthorized")
            let unknown = try await client.execute(uri: "/v1/nothing", method: .get, headers: Fixture.bearer(Fixture.clerk))
            try expectProblem(unknown, 404, "not-found")
        }
    }

    @Test func onlyClerksAppend() async throws {
        try await withJugendamt { ledger, client in
            for token in [Fixture.auditor, Fixture.caritasOnJugendamt] {
                try expectProblem(try await post(client, Fixture.signer(), token: token), 403, "forbidden")
            }
            try expectProblem(try await post(client, Fixture.signer(), token: "forged"), 401, "unauthorized")
            #expect(try ledger.head().seq == 0)
            let ok = try await post(client, Fixture.signer())
            #expect(ok.status == .created)
            #expect(try ledger.head().seq == 1)
        }
    }

    @Test func aPeerReadsOnlyItsOwnStream() async throws {
        try await withJugendamt { ledger, client in
            _ = try ledger.append(Fixture.events([
                Fixture.signer(), Fixture.kontrakt(key: "k-1", id: "k-1"), Fixture.prevention(key: "p-1", booking: "p-1", traeger: "diakonie"),
                Fixture.hours(key: "h-1", booking: "b-1", kontrakt: "k-1"),
            ]))
            let caritas = Fixture.bearer(Fixture.caritasOnJugendamt)
            let own = try await client.execute(uri: "/v1/events?stream=traeger:caritas", method: .get, headers: caritas)
            #expect(own.status == .ok)
            let records = try Fixture.lines(own.body)
            #expect(records.map(\.key) == ["k-1", "h-1"])
            #expect(Array(buffer: own.body) == (try Fixture.exportBytes(ledger, stream: "traeger:caritas")))
            // Another Träger's stream, the whole log, intern, the ledger head, metrics: refused.
            for uri in ["/v1/events?stream=traeger:diakonie", "/v1/events", "/v1/events?stream=intern", "/v1/head",
                        "/v1/head?stream=traeger:diakonie", "/metrics"] {
                let refused = try await client.execute(uri: uri, method: .get, headers: caritas)
                try expectProblem(refused, 403, "forbidden")
                #expect(!String(buffer: refused.body).contains("p-1"))
            }
            let head = try await client.execute(uri: "/v1/head?stream=traeger:caritas", method: .get, headers: caritas)
            #expect(head.status == .ok)
            let signed = try SignedStreamHead(json: try JSONParser.parse(Array(buffer: head.body)))
            #expect(signed.streamSeq == 2 && signed.seq == 4 && signed.hash == records.last?.hash)
            #expect(signed.isValid(publicKeyHex: ledger.publicKeyHex))
            // The auditor reads everything.
            let all = try await client.execute(uri: "/v1/events", method: .get, headers: Fixture.bearer(Fixture.auditor))
            #expect(Array(buffer: all.body) == (try Fixture.exportBytes(ledger)))
        }
    }

    @Test func badInputIsAProblemAndAppendsNothing() async throws {
        var limits = NodeConfig.Limits()
        limits.batchEvents = 3
        limits.singleEventBytes = 600
        try await withJugendamt(limits: limits) { ledger, client in
            _ = try ledger.append(Fixture.events([Fixture.signer()]))
            try expectProblem(try await post(client, "{\"type\":"), 400, "invalid-json")
            try expectProblem(try await post(client, ""), 400, "invalid-json")
            try expectProblem(try await post(client, #"{"type":"Nonsense","key":"x-1","data":{}}"#), 422, "invalid-event", field: "type")
            try expectProblem(try await post(client, #"{"type":"HoursBooked","data":{}}"#), 422, "invalid-event", field: "key")
            // A rule of the domain: the signer must be authorised for the Sozialraum.
            let unsigned = Fixture.kontrakt(key: "k-9", id: "k-9").replacingOccurrences(of: "asd-01", with: "asd-99")
            try expectProblem(try await post(client, unsigned), 422, "invalid-event", field: "data.signedBy")
            // A batch is atomic: the second event is refused, so the first is not appended either.
            let batch = "[\(Fixture.kontrakt(key: "k-1", id: "k-1")),\(Fixture.hours(key: "h-1", booking: "b-1", kontrakt: "k-404"))]"
            try expectProblem(try await post(client, batch), 422, "invalid-event", field: "data.kontrakt", index: 1)
            try expectProblem(try await post(client, "[]"), 422, "invalid-event")
            let four = "[" + (1...4).map { Fixture.prevention(key: "p-\($0)", booking: "p-\($0)") }.joined(separator: ",") + "]"
            try expectProblem(try await post(client, four), 413, "too-large")
            let big = Fixture.prevention(key: "p-big", booking: "p-big") + String(repeating: " ", count: 700)
            try expectProblem(try await post(client, big), 413, "too-large")
            try expectProblem(try await post(client, Fixture.signer(key: "s-2"), headers: [.contentType: "text/plain"]), 415, "unsupported-media-type")
            let withTime = #"{"type":"SignerAuthorized","key":"s-3","recordedAt":"2025-01-01T00:00:00Z","data":{"signer":"asd-02","from":"2025-01-01"}}"#
            try expectProblem(try await post(client, withTime), 422, "invalid-event", field: "recordedAt")
            let clerk = Fixture.bearer(Fixture.clerk)
            try expectProblem(try await client.execute(uri: "/v1/events?limit=0", method: .get, headers: clerk), 400, "invalid-query", field: "limit")
            try expectProblem(try await client.execute(uri: "/v1/events?after=-1", method: .get, headers: clerk), 400, "invalid-query", field: "after")
            try expectProblem(try await client.execute(uri: "/v1/events?stream=caritas", method: .get, headers: clerk), 400, "invalid-query", field: "stream")
            try expectProblem(try await client.execute(uri: "/v1/events?since=1", method: .get, headers: clerk), 400, "invalid-query", field: "since")
            #expect(try ledger.head().seq == 1)
            #expect(try ledger.verify().isValid)
        }
    }

    @Test func idempotencyKeys() async throws {
        try await withJugendamt { ledger, client in
            let first = try await post(client, Fixture.signer(key: "s-1"))
            #expect(first.status == .created)
            let created = try Fixture.json(first.body)
            #expect(created["new"] == .bool(true))
            let again = try await post(client, Fixture.signer(key: "s-1"))
            #expect(again.status == .ok)
            let repeated = try Fixture.json(again.body)
            #expect(repeated["new"] == .bool(false))
            #expect(repeated["record"] == created["record"])
            let other = Fixture.signer(key: "s-1").replacingOccurrences(of: "asd-01", with: "asd-02")
            try expectProblem(try await post(client, other), 409, "key-conflict", field: "key")

            // The header is the key of an event that has none.
            let keyless = #"{"type":"PreventionBooked","data":{"booking":"p-1","traeger":"caritas","sozialraum":"konz","date":"2025-03-04","minutes":60,"category":"praevention"}}"#
            let byHeader = try await post(client, keyless, headers: [.idempotencyKey: "req-7"])
            #expect(byHeader.status == .created)
            #expect(try ledger.record(key: "req-7")?.type == "PreventionBooked")
            let retried = try await post(client, keyless, headers: [.idempotencyKey: "req-7"])
            #expect(retried.status == .ok)
            try expectProblem(try await post(client, Fixture.signer(key: "s-9"), headers: [.idempotencyKey: "req-8"]), 422, "invalid-event", field: "key")
            // In a batch, events without a key get <header>.<n>.
            let keyless2 = keyless.replacingOccurrences(of: "p-1", with: "p-2")
            let batch = try await post(client, "[\(keyless2),\(Fixture.prevention(key: "own-key", booking: "p-3"))]", headers: [.idempotencyKey: "batch-1"])
            #expect(batch.status == .created)
            #expect(try ledger.record(key: "batch-1.1")?.data["booking"] == .string("p-2"))
            #expect(try ledger.record(key: "own-key") != nil)
            #expect(try ledger.head().seq == 4)
        }
    }

    @Test func readsAreExportLinesAndTheHeadIsSigned() async throws {
        try await withJugendamt { ledger, client in
            let batch = "[" + (1...5).map { Fixture.prevention(key: "p-\($0)", booking: "p-\($0)") }.joined(separator: ",") + "]"
            let posted = try await post(client, batch)
            #expect(posted.status == .created)
            let results = try #require(try Fixture.json(posted.body)["results"])
            guard case .array(let items) = results else { Issue.record("results is not an array"); return }
            #expect(items.count == 5)
            let clerk = Fixture.bearer(Fixture.clerk)
            let all = try await client.execute(uri: "/v1/events", method: .get, headers: clerk)
            #expect(all.headers[.contentType] == "application/jsonl")
            #expect(Array(buffer: all.body) == (try Fixture.exportBytes(ledger)))
            let page = try Fixture.lines(try await client.execute(uri: "/v1/events?after=2&limit=2", method: .get, headers: clerk).body)
            #expect(page.map(\.seq) == [3, 4])
            let head = try await client.execute(uri: "/v1/head", method: .get, headers: Fixture.bearer(Fixture.auditor))
            #expect(String(buffer: head.body) == CanonicalWriter.string(try ledger.signedHead().json) + "\n")
            let signed = try SignedHead(json: try JSONParser.parse(Array(buffer: head.body)))
            #expect(signed.seq == 5 && signed.isValid(publicKeyHex: ledger.publicKeyHex))
        }
    }

    @Test func concurrentRequestsStayAtomicOnTheirOwn() async throws {
        try await withJugendamt { ledger, client in
            _ = try ledger.append(Fixture.events([Fixture.signer(), Fixture.kontrakt(key: "k-1", id: "k-1")]))
            // 24 requests at once: every third books on an unknown Kontrakt and must be refused
            // alone; the others (two events each) must all be committed whole.
            let statuses = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
                for i in 0..<24 {
                    group.addTask {
                        let target = i % 3 == 0 ? "k-404" : "k-1"
                        let body = "[\(Fixture.prevention(key: "p-\(i)", booking: "p-\(i)")),\(Fixture.hours(key: "h-\(i)", booking: "b-\(i)", kontrakt: target))]"
                        return (i, Int(try await self.post(client, body).status.code))
                    }
                }
                var all: [Int: Int] = [:]
                for try await (i, status) in group { all[i] = status }
                return all
            }
            for i in 0..<24 {
                #expect(statuses[i] == (i % 3 == 0 ? 422 : 201), "request \(i)")
                #expect((try ledger.record(key: "p-\(i)") != nil) == (i % 3 != 0), "request \(i)")
            }
            #expect(try ledger.head().seq == 2 + 16 * 2)
            #expect(try ledger.verify().isValid)
        }
    }

    @Test func metricsCountAppends() async throws {
        try await withJugendamt { _, client in
            _ = try await post(client, "[\(Fixture.signer()),\(Fixture.prevention(key: "p-1", booking: "p-1"))]")
            _ = try await post(client, Fixture.signer())
            let metrics = try await client.execute(uri: "/metrics", method: .get, headers: Fixture.bearer(Fixture.auditor))
            #expect(metrics.status == .ok)
            let text = String(buffer: metrics.body)
            #expect(text.contains("doppelledger_appends_total 2"))
            #expect(text.contains("doppelledger_head_seq 2"))
            #expect(text.contains(#"doppelledger_append_requests_total{outcome="ok"} 2"#))
            #expect(text.contains("doppelledger_append_duration_seconds_count 2"))
        }
    }
}
