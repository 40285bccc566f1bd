import Foundation
import Testing

/// Hundreds of SIGKILLs of `append` and `import` children that book hours on Kontrakte (so the
/// views change with every record): after the loop and at checkpoints on the way, everything
/// acknowledged is there, `verify --views` passes, and the views equal a rebuild from the log.
@Suite("Crash loop with views", .serialized)
struct CrashLoopTests {
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
        var loop = KillLoop()
        let tag = loop.tag

        var imports: [(path: String, keys: [String])] = []
        for f in 0..<8 {
            let keys = (0..<60).map { "i\(f)-\($0)" }
            let text = keys.enumerated().map { KonzWorld.hoursLine(key: $1, n: f * 60 + $0, kontrakte: kontrakte) + "\n" }.joined()
            imports.append((try dir.write("hours-\(f).jsonl", text), keys))
        }
        func makeJob() -> KillLoop.Job {
            loop.nextJob(imports: imports, ledger: ledger) { n in
                KillLoop.Job(args: KonzWorld.appendHoursArgs(ledger, key: "c-\(n)", n: n, kontrakte: kontrakte), keys: ["c-\(n)"])
            }
        }

        // How long each kind of run takes here, unkilled.
        let calibration = [makeJob(), makeJob(), KillLoop.Job(args: ["import", ledger, imports[0].path], keys: imports[0].keys)]
        try loop.calibrate(calibration)

        func checkpoint(_ label: String) throws {
            let verify = try CLI.run(["verify", ledger, "--views"])
            #expect(verify.status == 0, "\(label): \(verify) \(tag)")
            let keys = exportKeys(try CLI.run(["export", ledger]).stdout)
            #expect(Set(keys).count == keys.count, "\(label): every key once, \(tag)")
            let present = Set(keys)
            let lost = loop.acknowledged.subtracting(present)
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
        var nextCheckpoint = 100
        while loop.kills < 210 && ContinuousClock.now < deadline {
            let jobs = [makeJob(), makeJob()]
            try loop.round(jobs)
            if loop.kills >= nextCheckpoint {
                try checkpoint("after \(loop.kills) kills")
                nextCheckpoint += 100
            }
        }
        #expect(loop.failures.isEmpty, "\(loop.failures.prefix(5)) \(tag)")
        #expect(loop.kills >= 200, "only \(loop.kills) kills landed in the time, \(tag)")
        try checkpoint("at the end")

        // Every killed import completes when run again, and the views still equal a rebuild.
        for (path, _) in imports { #expect(try CLI.run(["import", ledger, path]).status == 0) }
        try Self.viewsEqualRebuild(ledger, dir, "after completing the imports, \(tag)")
        print("crash loop: \(loop.kills) kills, \(loop.finished) finished, \(loop.acknowledged.count) records acknowledged (\(tag))")
    }
}
