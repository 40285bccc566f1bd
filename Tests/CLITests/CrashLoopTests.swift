import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Hundreds of SIGKILLs of `append` and `import` children that book hours on Kontrakte (so the
/// views change with every record): after the loop and at checkpoints on the way, everything
/// acknowledged is there, `verify --views` passes, and the views equal a rebuild from the log.
@Suite("Crash loop with views", .serialized)
struct CrashLoopTests {
    struct Job {
        let args: [String]
        let keys: [String]
    }

    /// The views of `ledger` against those of a backup of it rebuilt from its log alone.
    static func viewsEqualRebuild(_ ledger: String, _ dir: TempDir, _ tag: String) throws {
        let copy = dir.sub("rebuilt-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(atPath: copy) }
        let backup = try CLI.run(["backup", ledger, copy])
        try #require(backup.status == 0, "\(backup)")
        let rebuild = try CLI.run(["rebuild", copy])
        try #require(rebuild.status == 0, "\(rebuild)")
        #expect(try viewsJSON(ledger) == viewsJSON(copy), "the views differ from a rebuild, \(tag)")
    }

    @Test("200+ SIGKILLs of writers booking hours: nothing acknowledged lost, nothing half, the views equal a rebuild")
    func killedWritersKeepTheViewsRight() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let kontrakte = 6
        let ledger = try KonzWorld.ledger(dir, kontrakte: kontrakte)
        var rng = SystemRandomNumberGenerator()
        let seed = UInt64.random(in: 0...UInt64.max, using: &rng)
        var random = Seeded(seed: seed)
        let tag = "seed \(seed)"

        var imports: [(path: String, keys: [String])] = []
        for f in 0..<8 {
            let keys = (0..<60).map { "i\(f)-\($0)" }
            let text = keys.enumerated().map { KonzWorld.hoursLine(key: $1, n: f * 60 + $0, kontrakte: kontrakte) + "\n" }.joined()
            imports.append((try dir.write("hours-\(f).jsonl", text), keys))
        }
        var nextAppend = 0
        func makeJob() -> Job {
            if Int.random(in: 0..<3, using: &random) == 0 {
                let f = imports[Int.random(in: 0..<imports.count, using: &random)]
                return Job(args: ["import", ledger, f.path], keys: f.keys)
            }
            nextAppend += 1
            let key = "c-\(nextAppend)"
            return Job(args: KonzWorld.appendHoursArgs(ledger, key: key, n: nextAppend, kontrakte: kontrakte), keys: [key])
        }

        // How long each kind of run takes here, unkilled.
        var usual: [String: Duration] = [:]
        var acknowledged = Set<String>()
        for job in [makeJob(), makeJob(), Job(args: ["import", ledger, imports[0].path], keys: imports[0].keys)] {
            let start = ContinuousClock.now
            let r = try CLI.run(job.args)
            try #require(r.status == 0, "\(r)")
            acknowledged.formUnion(job.keys)
            usual[job.args[0]] = max(usual[job.args[0]] ?? .zero, .now - start)
        }
        usual["append"] = usual["append"] ?? .milliseconds(50)

        func checkpoint(_ label: String) throws {
            let verify = try CLI.run(["verify", ledger, "--views"])
            #expect(verify.status == 0, "\(label): \(verify) \(tag)")
            let keys = exportKeys(try CLI.run(["export", ledger]).stdout)
            #expect(Set(keys).count == keys.count, "\(label): every key once, \(tag)")
            let present = Set(keys)
            let lost = acknowledged.subtracting(present)
            #expect(lost.isEmpty, "\(label): acknowledged but lost: \(lost.sorted().prefix(8)) \(tag)")
            for (path, fileKeys) in imports {
                let n = fileKeys.filter(present.contains).count
                #expect(n == 0 || n == fileKeys.count, "\(label): \(path) is there \(n) of \(fileKeys.count), \(tag)")
            }
            try Self.viewsEqualRebuild(ledger, dir, "\(label), \(tag)")
        }

        // Two writers at a time, each killed at a random moment within about its usual run time
        // (or, now and then, left to finish).
        let deadline = ContinuousClock.now + .seconds(90)
        var kills = 0, finished = 0, nextCheckpoint = 100
        var failures: [String] = []
        while kills < 210 && ContinuousClock.now < deadline {
            var running: [(job: Job, child: Subprocess.Child, killAt: ContinuousClock.Instant?)] = []
            for job in [makeJob(), makeJob()] {
                let fraction = Double.random(in: 0.05...1.3, using: &random)
                let killAt: ContinuousClock.Instant? = Int.random(in: 0..<6, using: &random) == 0 ? nil : .now + usual[job.args[0]]! * fraction
                running.append((job, try CLI.start(job.args), killAt))
            }
            for (job, child, killAt) in running {
                var result: ProcessResult?
                while result == nil {
                    if let r = child.poll() { result = r; break }
                    if let killAt, ContinuousClock.now >= killAt { result = child.kill(); break }
                    if ContinuousClock.now - child.started > .seconds(20) {
                        result = child.kill(reason: "hung")
                        failures.append("\(job.args.prefix(2)) hung")
                    }
                    usleep(200)
                }
                if result!.signal == SIGKILL {
                    kills += 1
                } else if result!.status == 0 {
                    finished += 1
                    acknowledged.formUnion(job.keys)
                } else {
                    failures.append("\(job.args.prefix(2)) exited \(result!)")
                }
            }
            if kills >= nextCheckpoint {
                try checkpoint("after \(kills) kills")
                nextCheckpoint += 100
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(5)) \(tag)")
        #expect(kills >= 200, "only \(kills) kills landed in the time, \(tag)")
        try checkpoint("at the end")

        // Every killed import completes when run again, and the views still equal a rebuild.
        for (path, _) in imports { #expect(try CLI.run(["import", ledger, path]).status == 0) }
        try Self.viewsEqualRebuild(ledger, dir, "after completing the imports, \(tag)")
        print("crash loop: \(kills) kills, \(finished) finished, \(acknowledged.count) records acknowledged (\(tag))")
    }
}
