import AsyncHTTPClient
import Foundation
import LedgerCore
import LedgerGen
import LedgerStore
import NIOCore
import NIOHTTP1
import Testing
@testable import LedgerNode

/// The node under the reliability tests of docs/RELIABILITY.md: SIGKILLed again and again while
/// clients book hours, and fed hostile requests (bodies, headers, paths). Nothing acknowledged is
/// lost, the views equal a rebuild, and no request gets a 5xx or appends anything invalid.
@Suite("Node reliability", .serialized)
struct NodeReliabilityTests {
    static func writeConfig(_ dir: String) throws -> String {
        let path = dir + "/node.json"
        let hash = { (t: String) in Digest32.sha256(Array(t.utf8)).hex }
        try """
        {"tokens": [{"name": "asd-clerks", "sha256": "\(hash(Fixture.clerk))", "role": "clerk"},
                    {"name": "pruefer", "sha256": "\(hash(Fixture.auditor))", "role": "auditor"}]}
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The views a user reads, as one string (budget of Konz 2025, Kontrakte), through the CLI.
    static func views(_ ledger: String) async throws -> String {
        var out = ""
        for args in [["budget", ledger, "--sozialraum", "konz", "--year", "2025", "--format", "json"],
                     ["kontrakte", ledger, "--format", "json"]] {
            let r = try await runCLI(args)
            #expect(r.status == 0, "\(args.prefix(2)): \(r.err)")
            out += r.out
        }
        return out
    }

    @Test("a node SIGKILLed again and again while clients book hours loses nothing it acknowledged; the views equal a rebuild")
    func killedNodeLoop() async throws {
        let dir = Fixture.tempDirectory()
        defer { Fixture.cleanUp(dir) }
        let directory: String
        do {
            let ja = try Fixture.jugendamt(in: dir)
            directory = ja.directory
            _ = try ja.append(Fixture.events([Fixture.signer()] + (0..<3).map { Fixture.kontrakt(key: "ks-\($0)", id: "k-\($0)") }
                + [#"{"type":"BudgetSet","key":"bs-1","data":{"sozialraum":"konz","year":2025,"gesamtCents":104000000}}"#]))
        }
        let config = try Self.writeConfig(dir)
        let seed = UInt64.random(in: 0...UInt64.max)
        var random = SplitMix64(seed: seed)
        let acks = Acknowledged()
        var rounds = 0
        while rounds < 20 {
            rounds += 1
            let round = rounds
            let server = try await ServeProcess.start(directory, config: config)
            await acks.reset()
            let killAfter = await acks.keys.count + Int.random(in: 1...30, using: &random)
            await withTaskGroup(of: Void.self) { group in
                for client in 0..<4 {
                    group.addTask {
                        for i in 0..<10_000 {
                            let key = "r\(round)-\(client)-\(i)"
                            guard await !acks.signalled,
                                  let answer = try? await Fixture.http("POST", server.url + "/v1/events", token: Fixture.clerk,
                                                                       body: Fixture.hours(key: key, booking: key, kontrakt: "k-\(i % 3)", minutes: 15 + i % 90),
                                                                       timeout: .seconds(10)),
                                  answer.status == 201 else { return }
                            if await acks.add(key, signalAt: killAfter) { server.signal(SIGKILL) }
                        }
                    }
                }
            }
            await server.waitForExit()
            #expect(server.process.terminationReason == .uncaughtSignal, "round \(rounds): the node was killed")
        }

        let acknowledged = await acks.keys
        #expect(acknowledged.count >= rounds, "seed \(seed)")
        let verify = try await runCLI(["verify", directory, "--views"])
        #expect(verify.status == 0, "\(verify.err) seed \(seed)")
        let ledger = try Ledger.open(at: directory, policy: DomainPolicy(views: Projector()))
        for key in acknowledged { #expect(try ledger.record(key: key) != nil, "acknowledged \(key) is missing, seed \(seed)") }
        // The views equal those of a backup rebuilt from its log alone.
        let copy = dir + "/rebuilt"
        #expect(try await runCLI(["backup", directory, copy]).status == 0)
        #expect(try await runCLI(["rebuild", copy]).status == 0)
        #expect(try await Self.views(directory) == (try await Self.views(copy)), "the views differ from a rebuild, seed \(seed)")
    }

    /// One byte-level change of a line: a flip, a cut, a token.
    static func mutate(_ text: String, _ random: inout SplitMix64) -> String {
        var b = Array(text.utf8)
        for _ in 0..<Int.random(in: 1...3, using: &random) where !b.isEmpty {
            let at = Int.random(in: 0..<b.count, using: &random)
            switch Int.random(in: 0..<4, using: &random) {
            case 0: b[at] ^= UInt8.random(in: 1...255, using: &random)
            case 1: b.removeSubrange(at..<min(b.count, at + Int.random(in: 1...10, using: &random)))
            case 2: b.insert(contentsOf: Array(["null", "-1", "99999999999999999999", "{", "]", "\"x\":1,", "\u{0}", "ü", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["]
                .randomElement(using: &random)!.utf8), at: at)
            default: b = Array(b.prefix(at))
            }
        }
        return String(decoding: b, as: UTF8.self)
    }

    @Test("hostile requests (mutated bodies, odd headers, paths and queries): never a 5xx, refusals are problem details in one sentence, nothing invalid appended")
    func hostileRequests() async throws {
        let dir = Fixture.tempDirectory()
        defer { Fixture.cleanUp(dir) }
        let ja = try Fixture.jugendamt(in: dir)
        _ = try ja.append(Fixture.events([Fixture.signer(), Fixture.kontrakt(key: "ks-1", id: "k-1")]))
        let seed = UInt64.random(in: 0...UInt64.max)
        var random = SplitMix64(seed: seed)
        let valid = [Fixture.hours(key: "h", booking: "h", kontrakt: "k-1"), Fixture.prevention(key: "p", booking: "p"),
                     Fixture.kontrakt(key: "k", id: "k-9"), Fixture.signer(key: "s")]
        let tokens: [String?] = Array(repeating: Fixture.clerk, count: 12) + [Fixture.auditor, nil, "", "x", String(repeating: "t", count: 5000), "clerk-token-012345678"]
        let types: [String?] = Array(repeating: "application/json", count: 8) + [nil, "text/plain", "application/json; charset=utf-8", "", "ü/ä", "json"]
        let keys: [String?] = Array(repeating: nil, count: 8) + ["idem-1", "", "UPPER", String(repeating: "k", count: 300), "a b", "ü"]
        let paths = Array(repeating: "/v1/events", count: 12) + ["/v1/events?limit=abc", "/v1/events?after=-1", "/v1/events?limit=0",
                     "/v1/events?stream=%ff", "/v1/events?stream=traeger:caritas&limit=99999999999999999999", "/v1/head",
                     "/v1/../v1/events", "/v1/events/", "/v1/%00", "/" + String(repeating: "a", count: 3000), "/v1/events?x=1"]
        var statuses: [Int: Int] = [:]
        var problems: [String] = []
        try await Fixture.withLiveNode(try Fixture.node(ja, Fixture.jugendamtConfig())) { url in
            for n in 0..<600 {
                let method = ["POST", "POST", "POST", "GET", "PUT", "DELETE"].randomElement(using: &random)!
                var request = HTTPClientRequest(url: url + paths.randomElement(using: &random)!)
                request.method = HTTPMethod(rawValue: method)
                if let token = tokens.randomElement(using: &random)! { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
                if let type = types.randomElement(using: &random)! { request.headers.add(name: "Content-Type", value: type) }
                if let key = keys.randomElement(using: &random)! { request.headers.add(name: "Idempotency-Key", value: key) }
                let event = { (random: inout SplitMix64) -> String in
                    let line = valid.randomElement(using: &random)!.replacingOccurrences(of: #""key":""#, with: #""key":"z\#(n)-"#)
                        .replacingOccurrences(of: #""booking":""#, with: #""booking":"z\#(n)-"#)
                    return Int.random(in: 0..<4, using: &random) == 0 ? line : Self.mutate(line, &random)
                }
                let body: String
                switch Int.random(in: 0..<5, using: &random) {
                case 0: body = "[" + (0..<Int.random(in: 0...4, using: &random)).map { _ in event(&random) }.joined(separator: ",") + "]"
                case 1: body = String(decoding: (0..<Int.random(in: 0...200, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }, as: UTF8.self)
                default: body = event(&random)
                }
                if method != "GET" { request.body = .bytes(ByteBuffer(string: body)) }
                let response: HTTPClientResponse
                do {
                    response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                } catch {
                    continue // the client refused to send it (an invalid header): nothing reached the node
                }
                let answer = try await response.body.collect(upTo: 64 << 20)
                let status = Int(response.status.code)
                statuses[status, default: 0] += 1
                if status >= 500 { problems.append("\(method) \(request.url): \(status) \(String(buffer: answer).prefix(300))") }
                if status >= 400, status < 500, method != "PUT", method != "DELETE" {
                    let detail = (try? JSONParser.parse(Array(buffer: answer)))?.object?["detail"]?.string
                    if detail == nil || detail!.isEmpty || detail!.contains("\n") {
                        problems.append("\(method) \(request.url): \(status) without a one-sentence detail: \(String(buffer: answer).prefix(300))")
                    }
                }
            }
        }
        print("node fuzz: statuses \(statuses.sorted { $0.key < $1.key }) (seed \(seed))")
        #expect(problems.isEmpty, "seed \(seed): \(problems.prefix(5).joined(separator: "\n"))")
        #expect((statuses[201] ?? 0) + (statuses[200] ?? 0) > 5 && statuses.keys.contains { $0 >= 400 }, "both outcomes occur: \(statuses)")
        #expect(try ja.verify().isValid)
        #expect(try ja.checkViews() == nil, "the views equal a rebuild")
        for record in try Fixture.lines(ByteBuffer(bytes: try Fixture.exportBytes(ja))) {
            #expect((try? DomainEvent(type: record.type, data: record.data)) != nil, "record \(record.seq) is a valid event")
        }
    }
}
