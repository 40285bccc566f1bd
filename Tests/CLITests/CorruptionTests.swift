import Foundation
import LedgerGen
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Bytes flipped anywhere in data.mdb, through the real CLI: `verify --views` either finds the
/// damage (exit 1), or the file is refused with one clear sentence (exit 3), or, when it passes,
/// the ledger answers exactly as before (the flip hit a byte nothing reads). Never a crash, never
/// a hang, never a wrong "ok".
@Suite("Corruption of the data file", .serialized)
struct CorruptionTests {
    /// Where in the file a flip lands.
    enum Place: String, CaseIterable { case anywhere, metaPage, pageHeader, branchPage }

    @Test("random byte flips in data.mdb (meta pages, page headers, branch pages, anywhere) are detected or refused, never a crash or a wrong ok")
    func randomFlips() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let ledger = try KonzWorld.ledger(dir)
        // Enough records for a tree of several levels in the log and state databases, written
        // in several commits, the last one small, so the two meta pages hold different snapshots.
        for f in 0..<3 {
            let text = (0..<60).map { KonzWorld.hoursLine(key: "h\(f)-\($0)", n: f * 60 + $0) + "\n" }.joined()
                + TestEvent.importText(prefix: "p\(f)", 0..<30)
            let r = try CLI.run(["import", ledger, try dir.write("batch-\(f).jsonl", text)])
            try #require(r.status == 0, "\(r)")
        }
        try #require(CLI.run(TestEvent.appendArgs(ledger, key: "last", n: 1)).status == 0)
        let referenceExport = try CLI.run(["export", ledger]).stdout
        try #require(CLI.run(["verify", ledger, "--views"]).status == 0)
        try #require(CLI.run(["backup", ledger, dir.sub("compact")]).status == 0)

        var rng = SystemRandomNumberGenerator()
        let seed = UInt64.random(in: 0...UInt64.max, using: &rng)
        var random = SplitMix64(seed: seed)
        let work = dir.sub("work")
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)

        var outcomes: [Int32: Int] = [:]
        var failures: [String] = []
        for (source, flips) in [(ledger, 68), (dir.sub("compact"), 32)] {
            let pristine = try [UInt8](Data(contentsOf: URL(fileURLWithPath: source + "/data.mdb")))
            let pageSize = 4096
            let pages = pristine.count / pageSize
            let branchPages = (2..<pages).filter { pristine[$0 * pageSize + 10] & 0x01 != 0 }
            #expect(!branchPages.isEmpty, "the ledger is large enough for trees with branch pages")
            for i in 0..<flips {
                let place = Place.allCases[i % Place.allCases.count]
                let position: Int
                switch place {
                case .anywhere: position = Int.random(in: 0..<pristine.count, using: &random)
                case .metaPage: position = Int.random(in: 0..<2, using: &random) * pageSize + Int.random(in: 0..<160, using: &random)
                case .pageHeader: position = Int.random(in: 2..<pages, using: &random) * pageSize + Int.random(in: 0..<16, using: &random)
                case .branchPage:
                    guard let page = branchPages.randomElement(using: &random) else { continue }
                    position = page * pageSize + Int.random(in: 0..<pageSize, using: &random)
                }
                let mask = UInt8.random(in: 1...255, using: &random)
                var damaged = pristine
                damaged[position] ^= mask
                try? FileManager.default.removeItem(atPath: work + "/lock.mdb")
                try Data(damaged).write(to: URL(fileURLWithPath: work + "/data.mdb"))
                let what = "\(place) flip at byte \(position) (page \(position / pageSize)) ^ \(mask) of \(source.hasSuffix("compact") ? "the backup" : "the live file"), seed \(seed)"

                let verify = try CLI.run(["verify", work, "--views"], timeout: .seconds(30))
                outcomes[verify.status ?? -(verify.signal ?? 0), default: 0] += 1
                switch verify.status {
                case 0:
                    // A pass must be the truth: the log reads exactly as before.
                    let export = try CLI.run(["export", work], timeout: .seconds(30))
                    if export.status != 0 || export.stdout != referenceExport {
                        failures.append("\(what): verify passed but the export differs (\(export))")
                    }
                case 1:
                    if !verify.stderr.contains("verification failed") { failures.append("\(what): exit 1 without saying why: \(verify)") }
                case 3:
                    if !(verify.oneClearLine && verify.stderr.contains("damaged")) { failures.append("\(what): exit 3 unclear: \(verify)") }
                default:
                    failures.append("\(what): \(verify)")
                }
            }
        }
        print("corruption: outcomes by exit status \(outcomes.sorted { $0.key < $1.key }) (seed \(seed))")
        #expect(failures.isEmpty, "\(failures.count) bad outcomes: \(failures.prefix(6).joined(separator: "\n"))")
        // The test must have damaged things that matter, not only free space.
        #expect((outcomes[1] ?? 0) + (outcomes[3] ?? 0) >= 8, "too few flips were detected: \(outcomes)")
    }

    /// A meta page whose transaction id is lowered so that LMDB would open the snapshot before
    /// the last commit: a consistent but older ledger, which LMDB alone shows without complaint.
    @Test("a damaged transaction id that would roll the ledger back one commit is refused")
    func rolledBackMeta() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let ledger = try initLedger(dir)
        for n in 0..<3 { try #require(CLI.run(TestEvent.appendArgs(ledger, key: "a-\(n)", n: n)).status == 0) }
        var file = try [UInt8](Data(contentsOf: URL(fileURLWithPath: ledger + "/data.mdb")))
        func txnid(_ slot: Int) -> UInt64 { (0..<8).reversed().reduce(0) { $0 << 8 | UInt64(file[slot * 4096 + 144 + $1]) } }
        let newest = txnid(1) > txnid(0) ? 1 : 0
        let lowered = txnid(newest) - 2 // same slot parity, one below the other page: consistent-looking
        for i in 0..<8 { file[newest * 4096 + 144 + i] = UInt8(truncatingIfNeeded: lowered >> (8 * UInt64(i))) }
        try Data(file).write(to: URL(fileURLWithPath: ledger + "/data.mdb"))
        for args in [["verify", ledger], ["export", ledger], TestEvent.appendArgs(ledger, key: "a-9", n: 9)] {
            let r = try CLI.run(args)
            #expect(r.status == 3 && r.oneClearLine && r.stderr.contains("damaged"), "\(args.prefix(2)): \(r)")
        }
    }
}
