import ArgumentParser
import Foundation
import LedgerCore
import LedgerGen
import LedgerStore

/// `doppelledger demo [DIR]`: a whole district in one command. Creates the Jugendamt's ledger and
/// the nine Träger's, fills them with a generated year, verifies every chain, and says where
/// everything is and what to try next.
///
/// Each step is one function so that later steps (reconciliation, report) slot in as one call.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Create a demo district: the Jugendamt's and nine Träger's ledgers, filled with a realistic year and verified.",
        discussion: """
            DIR must not exist, be empty, or hold an earlier demo (marked by \(DemoFolder.marker)); an \
            earlier demo is replaced, any other folder is refused and left as it is.
            """)

    @Argument(help: "The folder for the demo.") var dir: String = "doppelledger-demo"

    /// The demo's year and seed: the same every run, so that the demo's heads are the same too.
    static let year = 2025
    static let seed: UInt64 = 42
    /// A couple of discrepancies for the quarterly reconciliation to find, in different quarters.
    static let planted: [DiscrepancyKind] = [.kontraktMissingAtTraeger, .bookingMismatch, .paymentMissingAtJugendamt]

    func run() throws {
        let replaced = try DemoFolder.prepare(dir)
        let landkreis = generateYear()
        let ledgers = try createLedgers(landkreis)
        try fillLedgers(ledgers, landkreis)
        let verified = try verifyLedgers(ledgers)
        try reconcileAllQuarters(ledgers, landkreis)
        try writeReport(ledgers, landkreis)
        printSummary(ledgers, verified, landkreis, replaced: replaced)
    }

    /// One ledger of the demo: what was generated for it, where it lives, and the open ledger.
    struct DemoLedger {
        let generated: GeneratedLedger
        let path: String
        let ledger: Ledger
    }

    // MARK: - Steps

    /// The generated year: the district's events, with a couple of planted discrepancies.
    func generateYear() -> GeneratedLandkreis {
        LandkreisGenerator.generate(GeneratorOptions(startYear: Self.year, years: 1, seed: Self.seed,
                                                     plantDiscrepancies: true, plantKinds: Self.planted))
    }

    /// Creates the ledgers: `DIR/jugendamt` and `DIR/traeger/<id>`, each with its own node key.
    func createLedgers(_ landkreis: GeneratedLandkreis) throws -> [DemoLedger] {
        try landkreis.ledgers.map { generated in
            let path = DemoFolder.path(dir, for: generated.name)
            let ledger = try Ledger.create(at: path, side: generated.name.side, org: generated.name.org,
                                           jugendamt: generated.jugendamt, policy: defaultPolicy())
            return DemoLedger(generated: generated, path: path, ledger: ledger)
        }
    }

    /// Appends each ledger's events with their own `recordedAt` (history moved over), in batches.
    func fillLedgers(_ ledgers: [DemoLedger], _ landkreis: GeneratedLandkreis) throws {
        let now = max(Timestamp.now(), landkreis.lastRecordedAt)
        let total = landkreis.eventCount
        let progress = Progress("filling the demo ledgers")
        var done = 0
        for demo in ledgers {
            var start = 0
            let events = demo.generated.events
            while start < events.count {
                let end = min(start + 5_000, events.count)
                _ = try demo.ledger.append(Array(events[start..<end]), preserveRecordedAt: true, now: now)
                done += end - start
                progress.update(done, of: total)
                start = end
            }
        }
        progress.done()
    }

    /// Verifies every ledger's chains; a failure is a bug in this program, not in the user's input.
    func verifyLedgers(_ ledgers: [DemoLedger]) throws -> [VerificationResult] {
        let progress = Progress("verifying")
        defer { progress.done() }
        return try ledgers.map { demo in
            let result = try demo.ledger.verify { progress.update($0) }
            guard result.isValid else {
                throw fail("the demo ledger \(demo.path) does not verify: \(result.failure ?? "")", status: Exit.failure)
            }
            return result
        }
    }

    /// Reconciles the Jugendamt's ledger with each Träger's for every quarter of the year and
    /// records each reconciliation on both sides.
    ///
    /// Left for the reconciler (issue 5): call it here, once per Träger and quarter, and add its
    /// summary and its CLI command to ``printSummary``. Until then this does nothing and prints nothing.
    func reconcileAllQuarters(_ ledgers: [DemoLedger], _ landkreis: GeneratedLandkreis) throws {}

    /// Writes the quarterly reports (HTML and Markdown) into `DIR/reports`.
    ///
    /// Left for the report (issue 7, second half): call it here for each quarter and add the
    /// report files to ``printSummary``. Until then this does nothing and prints nothing.
    func writeReport(_ ledgers: [DemoLedger], _ landkreis: GeneratedLandkreis) throws {}

    // MARK: - Output

    /// Where everything is, what was planted, and what to try next.
    func printSummary(_ ledgers: [DemoLedger], _ verified: [VerificationResult], _ landkreis: GeneratedLandkreis, replaced: Bool) {
        printLine("Demo: Landkreis Trier-Saarburg, budget year \(Self.year), in \(dir)" + (replaced ? " (the earlier demo there was replaced)" : ""))
        printLine("")
        let width = ledgers.map { $0.generated.name.description.count }.max() ?? 0
        let pathWidth = ledgers.map(\.path.count).max() ?? 0
        for (demo, result) in zip(ledgers, verified) {
            let name = demo.generated.name.description
            printLine("  \(name.padding(toLength: width, withPad: " ", startingAt: 0))  "
                      + "\(demo.path.padding(toLength: pathWidth, withPad: " ", startingAt: 0))  "
                      + "\(String(result.records).leftPadded(7)) records, chain verified")
        }
        let planted = landkreis.planted.filter { $0.kind != .overGrant || Self.planted.contains(.overGrant) }
        let overGrant = landkreis.planted.filter { $0.kind == .overGrant }.count
        printLine("")
        printLine("Planted for the quarterly reconciliation to find:")
        // One line per planting; a planting can cause several findings (same cause).
        var causes: [String] = []
        for p in planted where !causes.contains(p.cause) { causes.append(p.cause) }
        for cause in causes {
            let findings = planted.filter { $0.cause == cause }
            let kinds = findings.map { "\($0.kind.rawValue) (\($0.ids.joined(separator: ", ")))" }.joined(separator: " and ")
            printLine("  Q\(findings[0].quarter)/\(findings[0].year)  \(cause): \(kinds)")
        }
        if overGrant > 0 {
            printLine("  and \(overGrant) Kontrakte booked beyond their grant, as some are in reality (over-grant)")
        }
        printLine("")
        printLine("Try next:")
        for line in tryNext(landkreis) { printLine("  " + line) }
    }

    /// Commands to run on the demo data (only commands that exist).
    func tryNext(_ landkreis: GeneratedLandkreis) -> [String] {
        let ja = shellQuoted(DemoFolder.path(dir, for: landkreis.jugendamt.name))
        let example = landkreis.planted.first?.traeger ?? Landkreis.traeger[0]
        let traeger = shellQuoted(DemoFolder.path(dir, for: LedgerName(side: .traeger, org: example)))
        return [
            "doppelledger verify \(ja)",
            "doppelledger head \(traeger)",
            "doppelledger export \(ja) --stream traeger:\(example) --as-of \(Self.year)-06-30 | tail -n 3",
            "doppelledger export \(traeger) | head -n 3",
        ]
    }
}

/// The demo's folder: what it holds, and when it may be replaced.
///
/// A folder holds an earlier demo when it has the marker file this command writes first. Only
/// the entries the demo makes are removed (the marker, `jugendamt/`, `traeger/`, `reports/`),
/// and only after checking that the ledger folders in them really are ledgers; anything else a
/// user put there stays.
enum DemoFolder {
    static let marker = "doppelledger-demo.txt"
    static let markerFirstLine = "doppelledger demo"
    static let entries = [marker, "jugendamt", "traeger", "reports"]

    static func path(_ dir: String, for name: LedgerName) -> String {
        name.side == .jugendamt ? "\(dir)/jugendamt" : "\(dir)/traeger/\(name.org)"
    }

    /// Makes `dir` ready for a new demo; true when an earlier demo was replaced.
    static func prepare(_ dir: String) throws -> Bool {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        var replaced = false
        if fm.fileExists(atPath: dir, isDirectory: &isDir) {
            guard isDir.boolValue else { throw fail("\(dir) is a file; name a folder for the demo") }
            let contents = try fm.contentsOfDirectory(atPath: dir)
            if !contents.isEmpty {
                guard isEarlierDemo(dir) else {
                    throw fail("\(dir) is not empty and holds no earlier demo (no \(marker)); name a new or empty folder, nothing was changed")
                }
                try checkLedgerFolders(dir)
                for entry in entries where fm.fileExists(atPath: "\(dir)/\(entry)") {
                    try fm.removeItem(atPath: "\(dir)/\(entry)")
                }
                replaced = true
            }
        } else {
            do { try fm.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
                throw fail("cannot create \(dir): \(error.localizedDescription)")
            }
        }
        try fm.createDirectory(atPath: "\(dir)/traeger", withIntermediateDirectories: true)
        let text = """
            \(markerFirstLine)
            Made by 'doppelledger demo': a generated Landkreis Trier-Saarburg, budget year \(DemoCommand.year).
            jugendamt/        the Jugendamt's ledger (jugendamt:trier-saarburg)
            traeger/<id>/     each Träger's ledger (traeger:<id>)
            Running 'doppelledger demo' on this folder again replaces these (and only these).

            """
        try Data(text.utf8).write(to: URL(fileURLWithPath: "\(dir)/\(marker)"))
        return replaced
    }

    static func isEarlierDemo(_ dir: String) -> Bool {
        guard let text = try? String(contentsOfFile: "\(dir)/\(marker)", encoding: .utf8) else { return false }
        return text.split(separator: "\n", maxSplits: 1).first.map(String.init) == markerFirstLine
    }

    /// Refuses to remove a `jugendamt/` or `traeger/<id>/` that is not a ledger.
    static func checkLedgerFolders(_ dir: String) throws {
        let fm = FileManager.default
        var folders: [String] = []
        if fm.fileExists(atPath: "\(dir)/jugendamt") { folders.append("\(dir)/jugendamt") }
        if let names = try? fm.contentsOfDirectory(atPath: "\(dir)/traeger") {
            folders += names.map { "\(dir)/traeger/\($0)" }
        }
        for folder in folders where !fm.fileExists(atPath: "\(folder)/data.mdb") {
            throw fail("\(folder) is not a ledger, so the earlier demo in \(dir) is not replaced; move it away or name another folder")
        }
    }
}

/// A word for a POSIX shell: unchanged when safe, else in single quotes.
func shellQuoted(_ s: String) -> String {
    let safe = s.utf8.allSatisfy { c in
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || "/._-:+=,@%".utf8.contains(c)
    }
    return safe && !s.isEmpty ? s : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

