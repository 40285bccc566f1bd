import Foundation
import LedgerCore
import LedgerStore
import NIOCore
import Testing
@testable import LedgerNode

/// A `doppelledger serve` child process on an ephemeral loopback port.
final class ServeProcess: @unchecked Sendable {
    let process = Process()
    private(set) var url = ""

    /// The `doppelledger` executable built beside this test bundle.
    static var binary: String {
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        var dir = here.deletingLastPathComponent()
        if dir.lastPathComponent.hasSuffix(".xctest") { dir.deleteLastPathComponent() }
        return dir.appendingPathComponent("doppelledger").path
    }

    /// Starts `doppelledger serve DIR --listen 127.0.0.1:0 --config FILE` and waits for its
    /// "listening on …" line.
    static func start(_ ledgerDirectory: String, config: String) async throws -> ServeProcess {
        let child = ServeProcess()
        child.process.executableURL = URL(fileURLWithPath: binary)
        child.process.arguments = ["serve", ledgerDirectory, "--listen", "127.0.0.1:0", "--config", config]
        child.process.environment = ["LOG_LEVEL": "error"]
        let out = Pipe()
        child.process.standardOutput = out
        child.process.standardError = FileHandle.nullDevice
        try child.process.run()
        let line: String = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                var data = Data()
                while !data.contains(0x0A) {
                    let chunk = out.fileHandleForReading.availableData
                    if chunk.isEmpty { break }
                    data.append(chunk)
                }
                guard let text = String(data: data, encoding: .utf8), text.hasPrefix("listening on ") else {
                    continuation.resume(throwing: CancellationError())
                    return
                }
                continuation.resume(returning: text.split(separator: "\n")[0].description)
            }
        }
        // "listening on http://127.0.0.1:PORT as jugendamt:trier-saarburg"
        child.url = String(line.dropFirst("listening on ".count).split(separator: " ")[0])
        return child
    }

    func signal(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits for the child to end (polling; no timing is asserted).
    func waitForExit() async {
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
    }
}

/// The keys a server acknowledged (201), in order.
actor Acknowledged {
    var keys: [String] = []
    var signalled = false

    /// Records `key`; true when the count reaches `signalAt` (time to signal the server).
    func add(_ key: String, signalAt: Int) -> Bool {
        keys.append(key)
        if keys.count >= signalAt, !signalled {
            signalled = true
            return true
        }
        return false
    }

    func reset() { signalled = false }
}

@Suite struct ProcessTests {
    func writeConfig(_ dir: String) throws -> String {
        let path = dir + "/node.json"
        let hash = { (t: String) in Digest32.sha256(Array(t.utf8)).hex }
        let text = """
        {"tokens": [{"name": "asd-clerks", "sha256": "\(hash(Fixture.clerk))", "role": "clerk"},
                    {"name": "pruefer", "sha256": "\(hash(Fixture.auditor))", "role": "auditor"}]}
        """
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Eight clients append single events until `stopAfter` were acknowledged, when `signal` is
    /// sent to the server; then they stop at their first failure.
    func load(_ server: ServeProcess, prefix: String, stopAfter: Int, signal: Int32, _ acks: Acknowledged) async {
        await withTaskGroup(of: Void.self) { group in
            for client in 0..<8 {
                group.addTask {
                    for i in 0..<10_000 {
                        let key = "\(prefix)-\(client)-\(i)"
                        // After the signal no new request starts (a refused connection would be retried until its deadline).
                        guard await !acks.signalled,
                              let answer = try? await Fixture.http("POST", server.url + "/v1/events", token: Fixture.clerk,
                                                                   body: Fixture.prevention(key: key, booking: key), timeout: .seconds(10)),
                              answer.status == 201 else { return }
                        if await acks.add(key, signalAt: stopAfter) { server.signal(signal) }
                    }
                }
            }
        }
    }

    @Test func aKilledNodeLosesNothingItAcknowledged() async throws {
        let dir = Fixture.tempDirectory()
        defer { Fixture.cleanUp(dir) }
        let ledgerDirectory = try Fixture.jugendamt(in: dir).directory
        let config = try writeConfig(dir)
        #expect(FileManager.default.isExecutableFile(atPath: ServeProcess.binary), "build the doppelledger executable first")
        let acks = Acknowledged()

        // SIGKILL under load: no chance to clean up.
        let first = try await ServeProcess.start(ledgerDirectory, config: config)
        await load(first, prefix: "kill", stopAfter: 40, signal: SIGKILL, acks)
        await first.waitForExit()
        #expect(first.process.terminationReason == .uncaughtSignal)

        await acks.reset()
        // Restarted, it still has every acknowledged record; then SIGTERM under load: a graceful stop.
        let second = try await ServeProcess.start(ledgerDirectory, config: config)
        let read = try await Fixture.http("GET", second.url + "/v1/events?limit=10000", token: Fixture.auditor)
        let served = Set(try Fixture.lines(read.body).map(\.key))
        let killed = await acks.keys
        #expect(killed.count >= 40)
        #expect(killed.allSatisfy(served.contains))
        await load(second, prefix: "term", stopAfter: killed.count + 40, signal: SIGTERM, acks)
        await second.waitForExit()
        #expect(second.process.terminationReason == .exit)
        #expect(second.process.terminationStatus == 0)

        let ledger = try Ledger.open(at: ledgerDirectory, policy: DomainPolicy(views: Projector()))
        let all = await acks.keys
        #expect(all.count >= killed.count + 40)
        for key in all { #expect(try ledger.record(key: key) != nil, "acknowledged \(key) is missing") }
        #expect(try ledger.verify().isValid)
    }
}

/// Runs the `doppelledger` executable to its end.
func runCLI(_ arguments: [String]) async throws -> (status: Int32, out: String, err: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: ServeProcess.binary)
    process.arguments = arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    return await withCheckedContinuation { continuation in
        DispatchQueue.global().async {
            let o = out.fileHandleForReading.readDataToEndOfFile()
            let e = err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            continuation.resume(returning: (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self)))
        }
    }
}

@Suite struct SyncCommandTests {
    func writeConfig(_ path: String, url: String, publicKey: String) throws {
        let text = """
        {"peers": [{"ledger": "jugendamt:\(Fixture.jugendamtOrg)", "url": "\(url)",
                    "token": "\(Fixture.caritasOnJugendamt)", "publicKey": "\(publicKey)"}]}
        """
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func syncMirrorsTheStreamAndExportsIt() async throws {
        let dir = Fixture.tempDirectory()
        defer { Fixture.cleanUp(dir) }
        let ja = try Fixture.jugendamt(in: dir)
        let tcDirectory = try Fixture.traeger(in: dir).directory
        _ = try ja.append(Fixture.events([Fixture.signer(), Fixture.kontrakt(key: "k-1", id: "k-1"),
                                          Fixture.prevention(key: "p-d", booking: "p-d", traeger: "diakonie"),
                                          Fixture.hours(key: "h-1", booking: "b-1", kontrakt: "k-1")]))
        let config = tcDirectory + "/node.json"
        try await Fixture.withLiveNode(try Fixture.node(ja, Fixture.jugendamtConfig())) { url in
            try writeConfig(config, url: url, publicKey: ja.publicKeyHex)
            let synced = try await runCLI(["sync", tcDirectory, "--peer", url])
            #expect(synced.status == 0, "\(synced.err)")
            #expect(synced.out.hasPrefix("synced jugendamt:trier-saarburg: 2 new records"))
            let mirror = MirrorStore.directory(ledgerDirectory: tcDirectory, peer: "jugendamt:trier-saarburg")
            let exported = try await runCLI(["export", mirror])
            #expect(exported.status == 0)
            #expect(Array(exported.out.utf8) == (try Fixture.exportBytes(ja, stream: "traeger:caritas")))
            let verified = try await runCLI(["verify", tcDirectory])
            #expect(verified.status == 0, "the own ledger is untouched by the mirror: \(verified.err)")

            // A head that does not verify with the pinned key: exit 1, mirror unchanged.
            try writeConfig(config, url: url, publicKey: String(repeating: "ab", count: 32))
            let refused = try await runCLI(["sync", tcDirectory, "--peer", "jugendamt:trier-saarburg"])
            #expect(refused.status == 1)
            #expect(refused.err.contains("refused jugendamt:trier-saarburg"))
            #expect(try await runCLI(["export", mirror]).out == exported.out)
            let unknown = try await runCLI(["sync", tcDirectory, "--peer", "http://127.0.0.1:1"])
            #expect(unknown.status == 2)
        }
    }
}
