import Foundation
import Testing

/// `doppelledger demo`, run as a user runs it: the real executable, a real folder.
@Suite("doppelledger demo")
struct DemoCommandTests {
    /// One run over an earlier demo, which covers the new-folder case too. It reconciles and
    /// reports the first quarter only (`--quarters 1`): the other quarters go through the same
    /// steps, and in a debug build each quarter's reconciling takes the most time of the demo.
    @Test("replaces an earlier demo (only what it made) with ten verified ledgers, and says where they are")
    func demoRunsThrough() throws {
        let dir = demoTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // An earlier demo (as far as its marker and ledgers go) with a note of the user's beside it.
        #expect(try runDemoBinary(["init", dir + "/jugendamt", "--side", "jugendamt", "--org", "old"]).status == 0)
        #expect(try runDemoBinary(["init", dir + "/traeger/old", "--side", "traeger", "--org", "old", "--jugendamt", "old"]).status == 0)
        try Data("doppelledger demo\nfrom an earlier run\n".utf8).write(to: URL(fileURLWithPath: dir + "/doppelledger-demo.txt"))
        try Data("mine\n".utf8).write(to: URL(fileURLWithPath: dir + "/notes.txt"))

        let run = try runDemoBinary(["demo", dir, "--quarters", "1"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("replaced"))
        #expect(run.stdout.contains("\(dir)/jugendamt"))
        #expect(run.stdout.contains("\(dir)/traeger/caritas"))
        #expect(run.stdout.contains("kontrakt-missing-at-traeger"))
        // Q1's reconciliation finds the Kontrakt planted as missing at caritas; Q2 is not reconciled.
        #expect(run.stdout.contains("Q1/2025  5 of 9 Träger reconcile; findings: caritas (1 kontrakt-missing-at-traeger)"), "\(run.stdout)")
        #expect(run.stdout.components(separatedBy: "Träger reconcile").count == 2, "one quarter reconciled: \(run.stdout)")
        #expect(FileManager.default.fileExists(atPath: dir + "/reports/abgleich-2025-q1-caritas.json"))
        #expect(FileManager.default.fileExists(atPath: dir + "/reports/quartalsbericht-2025-q1.html"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/reports/quartalsbericht-2025-q2.html"))
        #expect(run.stdout.contains("Try next:"))
        #expect(try String(contentsOfFile: dir + "/notes.txt", encoding: .utf8) == "mine\n")
        #expect(!FileManager.default.fileExists(atPath: dir + "/traeger/old"))

        let ledgers = ["\(dir)/jugendamt"] + ["awo", "caritas", "diakonie", "don-bosco", "drk", "jugendwerk", "kinderschutzbund",
                                              "lebenshilfe", "palais"].map { "\(dir)/traeger/\($0)" }
        for ledger in ledgers {
            let verify = try runDemoBinary(["verify", ledger])
            #expect(verify.status == 0, "\(ledger): \(verify.stderr)")
            #expect(verify.stdout.hasPrefix("ok: "))
            let records = Int(verify.stdout.dropFirst(4).prefix { $0 != " " }) ?? 0
            #expect(records > (ledger.hasSuffix("jugendamt") ? 10_000 : 500), "\(ledger): \(verify.stdout)")
        }
        let head = try runDemoBinary(["head", dir + "/jugendamt"])
        #expect(head.stdout.contains("\"ledger\":\"jugendamt:trier-saarburg\""))
    }

    @Test("refuses a folder that holds something else, or a bad --quarters, and leaves it as it was")
    func refusesForeignFolder() throws {
        let dir = demoTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let badQuarters = try runDemoBinary(["demo", dir, "--quarters", "5"])
        #expect(badQuarters.status == 2)
        #expect(badQuarters.stderr.contains("--quarters must be 1 to 4"))
        #expect(!FileManager.default.fileExists(atPath: dir))

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
