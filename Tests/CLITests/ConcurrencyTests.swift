import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Several processes on one ledger at once, through the real CLI: writers are serialised by
/// LMDB's lock (never interleaved into a broken chain), readers see consistent snapshots, and a
/// hot backup taken while appends go on is a consistent ledger of its own.
@Suite("Concurrency", .serialized)
struct ConcurrencyTests {
    /// Runs job lists side by side, one child process per list at a time, and returns each
    /// finished job's result in order. `next(list, index)` gives a list's job `index`, or nil when it is done.
    static func runSideBySide(lists: Int, timeout: Duration = .seconds(90),
                              _ next: (Int, Int) throws -> [String]?) throws -> [[(args: [String], result: ProcessResult)]] {
        var done = [[(args: [String], result: ProcessResult)]](repeating: [], count: lists)
        var running: [Int: (args: [String], child: Subprocess.Child)] = [:]
        var finished = Set<Int>()
        let deadline = ContinuousClock.now + timeout
        while finished.count < lists {
            for list in 0..<lists where running[list] == nil && !finished.contains(list) {
                if let args = try next(list, done[list].count) {
                    running[list] = (args, try CLI.start(args))
                } else {
                    finished.insert(list)
                }
            }
            for (list, job) in running {
                let result: ProcessResult? = ContinuousClock.now > deadline ? job.child.kill(reason: "timed out") : job.child.poll()
                if let result {
                    done[list].append((job.args, result))
                    running[list] = nil
                }
            }
            usleep(300)
        }
        return done
    }

    @Test("two writers at once are serialised: every acknowledged record is there exactly once, in one unbroken chain; readers during the writes each see a consistent ledger")
    func writersAndReaders() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let ledger = try KonzWorld.ledger(dir)
        let imports = try (0..<10).map { f in
            try dir.write("b-\(f).jsonl", (0..<25).map { KonzWorld.hoursLine(key: "b\(f)-\($0)", n: f * 25 + $0) + "\n" }.joined())
        }
        var writersDone = 0
        let results = try Self.runSideBySide(lists: 4) { list, index in
            switch list {
            case 0: // appends, one process each
                if index == 30 { writersDone += 1; return nil }
                return TestEvent.appendArgs(ledger, key: "a-\(index)", n: index, traeger: ["caritas", "awo", nil][index % 3])
            case 1: // imports of 25 bookings each
                if index == imports.count { writersDone += 1; return nil }
                return ["import", ledger, imports[index]]
            case 2: // readers: exports while the writers run
                return writersDone == 2 || index == 40 ? nil : ["export", ledger]
            default: // readers: verify of the live ledger (views included) while the writers run
                return writersDone == 2 || index == 15 ? nil : ["verify", ledger, "--views"]
            }
        }
        var acknowledged: [String] = []
        for (args, r) in results[0] + results[1] {
            #expect(r.status == 0, "\(args.prefix(2)): \(r)")
            if r.status == 0 {
                acknowledged += args[0] == "append" ? [args[args.firstIndex(of: "--key")! + 1]]
                    : exportKeys(try String(contentsOfFile: args[2], encoding: .utf8))
            }
        }
        for (_, r) in results[3] { #expect(r.status == 0, "verify during writes: \(r)") }
        #expect(results[2].count >= 2 && results[3].count >= 1, "readers ran during the writes")

        let final = try CLI.run(["export", ledger]).stdout
        let finalLines = final.split(separator: "\n", omittingEmptySubsequences: false)
        let keys = exportKeys(final)
        #expect(Set(keys).count == keys.count, "every key once")
        #expect(Set(keys).isSuperset(of: acknowledged), "every acknowledged record is there")
        #expect(keys.count == acknowledged.count + KonzWorld.setupText().split(separator: "\n").count, "nothing else is there")
        let verify = try CLI.run(["verify", ledger, "--views"])
        #expect(verify.status == 0, "\(verify)")

        // Each export taken during the writes is a ledger of its own that verifies, and the
        // beginning of the final one: a consistent snapshot, never a mix.
        for (i, (_, r)) in results[2].enumerated() {
            #expect(r.status == 0, "export during writes: \(r)")
            let file = try dir.write("snapshot-\(i).jsonl", r.stdout)
            let check = try CLI.run(["verify", file])
            #expect(check.status == 0, "snapshot \(i): \(check)")
            let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(Array(finalLines.prefix(lines.count - 1)) == Array(lines.dropLast()), "snapshot \(i) is a prefix of the final export")
        }
    }

    @Test("a backup taken while appends go on verifies, equals the original up to its head, and restores: move it into place, verify, go on")
    func backupWhileAppending() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let ledger = try KonzWorld.ledger(dir)
        let r = try CLI.run(["import", ledger, try dir.write("hours.jsonl", (0..<200).map { KonzWorld.hoursLine(key: "h-\($0)", n: $0) + "\n" }.joined())])
        try #require(r.status == 0, "\(r)")
        var backups: [String] = []
        var appendsDone = false
        let results = try Self.runSideBySide(lists: 2) { list, index in
            if list == 0 { // the appending child, again and again
                if index == 30 { appendsDone = true; return nil }
                return KonzWorld.appendHoursArgs(ledger, key: "live-\(index)", n: index)
            }
            guard !appendsDone, index < 4 else { return nil }
            backups.append(dir.sub("backup-\(index)"))
            return ["backup", ledger, backups[index]]
        }
        for (args, r) in results[0] + results[1] { #expect(r.status == 0, "\(args.prefix(2)): \(r)") }
        #expect(results[1].count >= 2, "backups ran while the appends went on")

        let original = try CLI.run(["export", ledger]).stdout
        let originalViews = try viewsJSON(ledger)
        for backup in backups {
            let verify = try CLI.run(["verify", backup, "--views"])
            #expect(verify.status == 0, "\(backup): \(verify)")
            let copy = try CLI.run(["export", backup]).stdout
            #expect(!copy.isEmpty && original.hasPrefix(copy), "\(backup) is the original up to its head")
        }

        // Restore the last backup: the node stops (here: no more writers), the backup is moved
        // into place, verified, and the ledger goes on from the backup's head.
        let last = try #require(backups.last)
        let copyExport = try CLI.run(["export", last]).stdout
        try FileManager.default.moveItem(atPath: ledger, toPath: dir.sub("ledger-damaged"))
        try FileManager.default.moveItem(atPath: last, toPath: ledger)
        let pub = try String(contentsOfFile: dir.sub("ledger-damaged/node.pub"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let verify = try CLI.run(["verify", ledger, "--public-key", pub])
        #expect(verify.status == 0, "the restored ledger verifies with the node's pinned key: \(verify)")
        let missing = exportKeys(original).filter { !Set(exportKeys(copyExport)).contains($0) }
        // Re-entering what came after the backup (as the other side's copy or the source system
        // would give it) brings the restored ledger to the same state as the original.
        for key in missing {
            let n = Int(key.dropFirst("live-".count))!
            let again = try CLI.run(KonzWorld.appendHoursArgs(ledger, key: key, n: n))
            #expect(again.status == 0, "\(again)")
        }
        #expect(exportKeys(try CLI.run(["export", ledger]).stdout) == exportKeys(original))
        #expect(try viewsJSON(ledger) == originalViews, "the restored ledger answers the same")
        #expect(try CLI.run(["verify", ledger, "--views"]).status == 0)
    }
}
