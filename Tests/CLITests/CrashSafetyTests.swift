import Foundation
import Testing
import LedgerCore
import LedgerGen

/// SIGKILL at random moments: whatever was acknowledged (exit 0) survives, the ledger verifies,
/// nothing is half-written, and an import is there entirely or not at all.
@Suite("Crash safety", .serialized)
struct CrashSafetyTests {
    @Test("appends and imports killed with SIGKILL at random moments lose nothing acknowledged and leave nothing half")
    func killedWriters() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let ledger = try initLedger(dir)
        var loop = KillLoop()
        let tag = loop.tag

        // Import files of 400 events each, written up front.
        var imports: [(path: String, keys: [String])] = []
        for f in 0..<12 {
            let path = try dir.write("import-\(f).jsonl", TestEvent.importText(prefix: "f\(f)", 0..<400, traeger: ["caritas", "awo", "drk"]))
            imports.append((path, (0..<400).map { "f\(f)-\($0)" }))
        }
        func makeJob() -> KillLoop.Job {
            loop.nextJob(imports: imports, ledger: ledger) { n in
                KillLoop.Job(args: TestEvent.appendArgs(ledger, key: "a-\(n)", n: n, traeger: ["caritas", "awo", nil][n % 3]), keys: ["a-\(n)"])
            }
        }

        // Calibrate: how long a run takes here, unkilled.
        let calibration = [makeJob(), makeJob(), makeJob(), KillLoop.Job(args: ["import", ledger, imports[0].path], keys: imports[0].keys)]
        try loop.calibrate(calibration)

        // Two writers at a time, each killed at a random moment within about its usual run time
        // (or left alone now and then), until enough kills landed.
        let deadline = ContinuousClock.now + .seconds(40)
        while (loop.kills < 60 || loop.rounds < 40) && ContinuousClock.now < deadline {
            let jobs = [makeJob(), makeJob()]
            try loop.round(jobs)
        }
        #expect(loop.failures.isEmpty, "\(loop.failures.prefix(5)) \(tag)")
        #expect(loop.kills >= 40, "only \(loop.kills) kills landed, \(tag)")

        // Afterwards: verify passes, every line is a whole record, every acknowledged key is there,
        // and every import is there entirely or not at all.
        let verify = try CLI.run(["verify", ledger])
        #expect(verify.status == 0, "\(verify) \(tag)")
        let export = try CLI.run(["export", ledger])
        #expect(export.status == 0)
        let stored = try records(export.stdout)
        let lineCount = export.stdout.split(separator: "\n").count
        #expect(stored.count == lineCount)
        #expect(export.stdout.hasSuffix("\n"))
        let keys = Set(stored.map(\.key))
        #expect(keys.count == stored.count, "keys are unique")
        #expect(stored.map(\.seq) == (0..<stored.count).map { UInt64($0 + 1) })
        let lost = loop.acknowledged.subtracting(keys)
        #expect(lost.isEmpty, "acknowledged but lost: \(lost.sorted().prefix(10)) \(tag)")
        for (path, fileKeys) in imports {
            let present = fileKeys.filter(keys.contains).count
            #expect(present == 0 || present == fileKeys.count, "\(path): \(present) of \(fileKeys.count) records, \(tag)")
        }

        // The ledger takes writes as before; a killed import completes when run again.
        for (path, _) in imports {
            let r = try CLI.run(["import", ledger, path])
            #expect(r.status == 0, "\(r)")
        }
        let after = try records(CLI.run(["export", ledger]).stdout)
        #expect(Set(after.map(\.key)).isSuperset(of: imports.flatMap(\.keys)))
        #expect(try CLI.run(["verify", ledger]).status == 0)
        print("crash safety: \(loop.rounds) rounds, \(loop.kills) kills, \(loop.finished) finished, \(stored.count) records (\(tag))")
    }
}
