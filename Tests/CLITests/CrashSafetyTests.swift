import Foundation
import Testing
import LedgerCore
#if canImport(Glibc)
import Glibc
#endif

/// SIGKILL at random moments: whatever was acknowledged (exit 0) survives, the ledger verifies,
/// nothing is half-written, and an import is there entirely or not at all.
@Suite("Crash safety", .serialized)
struct CrashSafetyTests {
    /// One job: an `append` of one key or an `import` of a file of keys.
    struct Job {
        let args: [String]
        let keys: [String]
        let isImport: Bool
        var stdinPath: String? = nil
    }

    @Test("appends and imports killed with SIGKILL at random moments lose nothing acknowledged and leave nothing half")
    func killedWriters() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let ledger = try initLedger(dir)
        var rng = SystemRandomNumberGenerator()
        let seed = UInt64.random(in: 0...UInt64.max, using: &rng)
        var random = Seeded(seed: seed)
        let tag = "seed \(seed)"

        // Import files of 400 events each, written up front.
        var imports: [(path: String, keys: [String])] = []
        for f in 0..<12 {
            let path = try dir.write("import-\(f).jsonl", TestEvent.importText(prefix: "f\(f)", 0..<400, traeger: ["caritas", "awo", "drk"]))
            imports.append((path, (0..<400).map { "f\(f)-\($0)" }))
        }
        var nextAppend = 0
        func makeJob() -> Job {
            if Int.random(in: 0..<3, using: &random) == 0 {
                let f = imports[Int.random(in: 0..<imports.count, using: &random)]
                return Job(args: ["import", ledger, f.path], keys: f.keys, isImport: true)
            }
            nextAppend += 1
            let key = "a-\(nextAppend)"
            return Job(args: TestEvent.appendArgs(ledger, key: key, n: nextAppend, traeger: ["caritas", "awo", nil][nextAppend % 3]),
                       keys: [key], isImport: false)
        }

        // Calibrate: how long a run takes here, unkilled.
        var appendTime = Duration.zero, importTime = Duration.zero
        var acknowledged = Set<String>()
        for job in [makeJob(), makeJob(), makeJob()] + [Job(args: ["import", ledger, imports[0].path], keys: imports[0].keys, isImport: true)] {
            let start = ContinuousClock.now
            let r = try CLI.run(job.args)
            try #require(r.status == 0, "\(r)")
            acknowledged.formUnion(job.keys)
            if job.isImport { importTime = max(importTime, .now - start) } else { appendTime = max(appendTime, .now - start) }
        }

        // Two writers at a time, each killed at a random moment within about its usual run time
        // (or left alone now and then), until enough kills landed.
        let deadline = ContinuousClock.now + .seconds(40)
        var kills = 0, finished = 0, rounds = 0
        var failures: [String] = []
        while (kills < 60 || rounds < 40) && ContinuousClock.now < deadline {
            rounds += 1
            let jobs = [makeJob(), makeJob()]
            var running: [(job: Job, child: Subprocess.Child, killAt: ContinuousClock.Instant?)] = []
            for job in jobs {
                let usual = job.isImport ? importTime : appendTime
                let fraction = Double.random(in: 0.05...1.3, using: &random)
                let killAt: ContinuousClock.Instant? = Int.random(in: 0..<6, using: &random) == 0 ? nil : .now + usual * fraction
                running.append((job, try CLI.start(job.args), killAt))
            }
            for (job, child, killAt) in running {
                var result: ProcessResult?
                while result == nil {
                    if let r = child.poll() { result = r; break }
                    if let killAt, ContinuousClock.now >= killAt { result = child.kill(); break }
                    if ContinuousClock.now - child.started > .seconds(20) {
                        result = child.kill(reason: "hung")
                        failures.append("\(job.args.prefix(2)) hung: \(result!)")
                        break
                    }
                    usleep(200)
                }
                let r = result!
                if r.signal == SIGKILL {
                    kills += 1
                } else if r.status == 0 {
                    finished += 1
                    acknowledged.formUnion(job.keys)
                } else {
                    failures.append("\(job.args.prefix(2)) exited \(r)")
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(5)) \(tag)")
        #expect(kills >= 40, "only \(kills) kills landed, \(tag)")

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
        let lost = acknowledged.subtracting(keys)
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
        print("crash safety: \(rounds) rounds, \(kills) kills, \(finished) finished, \(stored.count) records (seed \(seed))")
    }
}

/// SplitMix64, seeded so that a failing run can be replayed.
struct Seeded: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
