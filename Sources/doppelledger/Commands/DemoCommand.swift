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
    @Option(help: "Reconcile and report only the first N quarters (1-4): quicker on a slow machine or a debug build. The ledgers hold the whole year either way.")
    var quarters: Int = 4

    /// The demo's year and seed: the same every run, so that the demo's heads are the same too.
    static let year = 2025
    static let seed: UInt64 = 42
    /// A couple of discrepancies for the quarterly reconciliation to find, in different quarters.
    static let planted: [Finding.Kind] = [.kontraktMissingAtTraeger, .bookingMismatch, .paymentMissingAtJugendamt]

    func run() throws {
        guard (1...4).contains(quarters) else { throw fail("--quarters must be 1 to 4, got \(quarters)") }
        let replaced = try DemoFolder.prepare(dir)
        let landkreis = generateYear()
        let ledgers = try createLedgers(landkreis)
        try fillLedgers(ledgers, landkreis)
        let verified = try verifyLedgers(ledgers)
        let reconciliations = try reconcileAllQuarters(ledgers, landkreis)
        let reports = try writeReports(ledgers)
        printSummary(ledgers, verified, landkreis, replaced: replaced)
        printReconciliations(reconciliations, reports: reports, landkreis)
        printLine("")
        printLine("Try next:")
        for line in tryNext(landkreis) { printLine("  " + line) }
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

    /// One quarter's Doppelcontrolling between the Jugendamt and one Träger.
    struct DemoReconciliation {
        let quarter: Int
        let traeger: String
        let findings: [Finding]
        let report: String
    }

    /// Reconciles the Jugendamt's ledger with each Träger's for every quarter (of `--quarters`), writes
    /// each report (Markdown, and the canonical JSON whose hash is recorded) into `DIR/reports`,
    /// and records each reconciliation, signed, on both sides.
    func reconcileAllQuarters(_ ledgers: [DemoLedger], _ landkreis: GeneratedLandkreis) throws -> [DemoReconciliation] {
        let reports = dir + "/reports"
        try FileManager.default.createDirectory(atPath: reports, withIntermediateDirectories: true)
        guard let jugendamt = ledgers.first(where: { $0.generated.name.side == .jugendamt }) else { return [] }
        let progress = Progress("reconciling")
        defer { progress.done() }
        var out: [DemoReconciliation] = []
        // Each source is verified once; it is then read up to the head it verified.
        let j = try ReconcileSource.open(ledger: jugendamt.ledger)
        let traeger = try ledgers.filter { $0.generated.name.side == .traeger }.map { ($0, try ReconcileSource.open(ledger: $0.ledger)) }
        for quarter in 1...quarters {
            for (demo, t) in traeger {
                let period = try ReconciliationPeriod(year: Self.year, quarter: quarter, asOf: nil)
                let jStream = "traeger:\(t.name.org)", tStream = "jugendamt:\(j.name.org)"
                let result = try Reconciler.reconcile(jugendamt: j.name, j.records(stream: jStream, asOf: nil),
                                                      traeger: t.name, t.records(stream: tStream, asOf: nil), period: period)
                let bytes = result.reportBytes
                let base = "\(reports)/abgleich-\(Self.year)-q\(quarter)-\(t.name.org)"
                try Data(bytes).write(to: URL(fileURLWithPath: base + ".json"))
                try Data(ReconciliationMarkdown.render(result).utf8).write(to: URL(fileURLWithPath: base + ".md"))
                _ = try ReconcileCommand.record(result, reportBytes: bytes, on: jugendamt.ledger, own: result.jugendamt,
                                                counterparty: result.traeger, say: { _ in })
                _ = try ReconcileCommand.record(result, reportBytes: bytes, on: demo.ledger, own: result.traeger,
                                                counterparty: result.jugendamt, say: { _ in })
                out.append(DemoReconciliation(quarter: quarter, traeger: t.name.org, findings: result.findings, report: base + ".md"))
                progress.update(out.count, of: quarters * (ledgers.count - 1))
            }
        }
        return out
    }

    /// Writes the quarterly reports of the Jugendamt (HTML and Markdown) into `DIR/reports`.
    func writeReports(_ ledgers: [DemoLedger]) throws -> [String] {
        guard let jugendamt = ledgers.first(where: { $0.generated.name.side == .jugendamt }) else { return [] }
        var paths: [String] = []
        for quarter in 1...quarters {
            let report = try jugendamt.ledger.quarterlyReport(year: Self.year, quarter: quarter)
            let base = "\(dir)/reports/quartalsbericht-\(Self.year)-q\(quarter)"
            try Data(report.html.utf8).write(to: URL(fileURLWithPath: base + ".html"))
            try Data(report.markdown.utf8).write(to: URL(fileURLWithPath: base + ".md"))
            paths.append(base + ".html")
        }
        return paths
    }

    /// What the quarterly reconciliations found, and where the reports are.
    func printReconciliations(_ results: [DemoReconciliation], reports: [String], _ landkreis: GeneratedLandkreis) {
        printLine("")
        let which = quarters == 4 ? "every quarter" : quarters == 1 ? "the first quarter" : "the first \(quarters) quarters"
        printLine("Doppelcontrolling: \(which) reconciled with each Träger and recorded, signed, on both sides:")
        for quarter in 1...quarters {
            let quarterResults = results.filter { $0.quarter == quarter }
            let clean = quarterResults.filter { $0.findings.isEmpty }.count
            var line = "  Q\(quarter)/\(Self.year)  \(clean) of \(quarterResults.count) Träger reconcile"
            let found = quarterResults.filter { !$0.findings.isEmpty }
            if !found.isEmpty {
                line += "; findings: " + found.map { r in
                    let kinds = Dictionary(grouping: r.findings, by: \.kind.rawValue).map { "\($0.value.count) \($0.key)" }.sorted()
                    return "\(r.traeger) (\(kinds.joined(separator: ", ")))"
                }.joined(separator: "; ")
            }
            printLine(line)
        }
        printLine("  reports: \(dir)/reports/abgleich-\(Self.year)-q<N>-<träger>.md (and .json, whose SHA-256 is recorded)")
        printLine("")
        printLine("Quarterly reports for the steering bodies (open in a browser, printable):")
        for path in reports { printLine("  \(path)") }
    }

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
    }

    /// Commands to run on the demo data (only commands that exist).
    func tryNext(_ landkreis: GeneratedLandkreis) -> [String] {
        let ja = shellQuoted(DemoFolder.path(dir, for: landkreis.jugendamt.name))
        let example = landkreis.planted.first?.traeger ?? Landkreis.traeger[0]
        let traeger = shellQuoted(DemoFolder.path(dir, for: LedgerName(side: .traeger, org: example)))
        return [
            "doppelledger budget \(ja) --sozialraum konz --year \(Self.year) --quarter 2",
            "doppelledger budget \(ja) --sozialraum konz --year \(Self.year) --quarter 2 --as-of \(Self.year)-05-15 --format json",
            "doppelledger kontrakte \(ja) --traeger \(example) --open-on \(Self.year)-06-30",
            "doppelledger reconcile --jugendamt \(ja) --traeger \(traeger) --year \(Self.year) --quarter 2",
            "doppelledger report \(ja) --year \(Self.year) --quarter 3 --format md --output q3.md",
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

