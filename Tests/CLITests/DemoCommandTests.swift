import Foundation
import Testing

/// `doppelledger demo`, run as a user runs it: the real executable, a real folder.
@Suite("doppelledger demo")
struct DemoCommandTests {
    @Test("creates ten verified ledgers, says where they are, and replaces itself with the same heads")
    func demoRunsThrough() throws {
        let dir = demoTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let demo = dir + "/demo"

        let first = try runDemoBinary(["demo", demo])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("\(demo)/jugendamt"))
        #expect(first.stdout.contains("\(demo)/traeger/caritas"))
        #expect(first.stdout.contains("Try next:"))
        #expect(first.stdout.contains("kontrakt-missing-at-traeger"))
        let ledgers = ["\(demo)/jugendamt"] + ["awo", "caritas", "diakonie", "don-bosco", "drk", "jugendwerk", "kinderschutzbund",
                                               "lebenshilfe", "palais"].map { "\(demo)/traeger/\($0)" }
        var heads: [String] = []
        for ledger in ledgers {
            let verify = try runDemoBinary(["verify", ledger])
            #expect(verify.status == 0, "\(ledger): \(verify.stderr)")
            #expect(verify.stdout.hasPrefix("ok: "))
            if ledger.hasSuffix("jugendamt") { #expect(verify.stdout.contains("streams intern, traeger:awo")) }
            heads.append(try demoHead(ledger))
        }

        // Again on the same folder: the earlier demo is replaced, with the same records (the
        // node keys are new, the chains are the same).
        let second = try runDemoBinary(["demo", demo])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("replaced"))
        for (ledger, head) in zip(ledgers, heads) {
            #expect(try demoHead(ledger) == head, "\(ledger) differs from the first demo")
        }
    }

    @Test("refuses a folder that holds something else, and leaves it as it was")
    func refusesForeignFolder() throws {
        let dir = demoTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/jugendamt", withIntermediateDirectories: true)
        try Data("mine\n".utf8).write(to: URL(fileURLWithPath: dir + "/notes.txt"))

        let result = try runDemoBinary(["demo", dir])
        #expect(result.status == 2)
        #expect(result.stderr.contains("not empty"))
        #expect(result.stdout.isEmpty)
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: dir)) == ["jugendamt", "notes.txt"])

        // A marker alone does not make a folder of non-ledgers removable.
        try Data("doppelledger demo\n".utf8).write(to: URL(fileURLWithPath: dir + "/doppelledger-demo.txt"))
        let again = try runDemoBinary(["demo", dir])
        #expect(again.status == 2)
        #expect(again.stderr.contains("is not a ledger"))
        #expect(FileManager.default.fileExists(atPath: dir + "/jugendamt"))
    }
}

private struct DemoRun {
    var status: Int32
    var stdout: String
    var stderr: String
}

private func demoTemporaryFolder() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(UUID().uuidString)").path
}

/// The `doppelledger` executable of this build: beside the test bundle, else `.build/debug`.
private func demoBinary() -> String {
    var candidates: [String] = []
    for path in [ProcessInfo.processInfo.arguments.first, Bundle.main.executablePath].compactMap({ $0 }) {
        var url = URL(fileURLWithPath: path)
        for _ in 0..<4 {
            url.deleteLastPathComponent()
            candidates.append(url.appendingPathComponent("doppelledger").path)
        }
    }
    var root = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { root.deleteLastPathComponent() }
    candidates.append(root.appendingPathComponent(".build/debug/doppelledger").path)
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates.last!
}

/// `seq hash` of a ledger's head.
private func demoHead(_ ledger: String) throws -> String {
    let run = try runDemoBinary(["head", ledger])
    let head = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
    return "\(head?["seq"] ?? "-") \(head?["hash"] ?? "-")"
}

private func runDemoBinary(_ arguments: [String]) throws -> DemoRun {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: demoBinary())
    process.arguments = arguments
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("demo-out-\(UUID().uuidString)")
    let err = FileManager.default.temporaryDirectory.appendingPathComponent("demo-err-\(UUID().uuidString)")
    _ = FileManager.default.createFile(atPath: out.path, contents: nil)
    _ = FileManager.default.createFile(atPath: err.path, contents: nil)
    defer {
        try? FileManager.default.removeItem(at: out)
        try? FileManager.default.removeItem(at: err)
    }
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    try process.run()
    process.waitUntilExit()
    return DemoRun(status: process.terminationStatus,
                   stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                   stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
}
