import ArgumentParser
import Foundation
import LedgerStore
import LedgerCore
import LedgerNode

/// `doppelledger reconcile`: the quarterly Doppelcontrolling (CONTRACT sections 5 and 6).
struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Compare the Jugendamt's and the Träger's records of a quarter; exit 1 when they differ.",
        discussion: """
            Both sources are verified first (a tampered source is refused with exit 1 before anything \
            is compared). A source is a ledger folder, an export file (whole ledger or one stream), a \
            mirror folder filled by sync, or a node URL listed under "peers" in the --config file (its \
            token and pinned public key; docs/NODE.md). See docs/RECONCILIATION.md for the finding \
            kinds and what to do about each.
            """)

    enum Format: String, CaseIterable {
        case md, json, csv, html
    }

    @Option(help: "The Jugendamt's ledger folder, export file, mirror (DIR/mirrors/jugendamt:<org>) or node URL.") var jugendamt: String
    @Option(help: "The Träger's ledger folder, export file, mirror (DIR/mirrors/traeger:<id>) or node URL.") var traeger: String
    @Option(help: "The year of the service dates.") var year: Int
    @Option(help: "The quarter of the service dates, 1 to 4.") var quarter: Int
    @Option(help: "Compare what was recorded at or before this RFC 3339 time (or date).") var asOf: String?
    @Option(help: "md (for people, German), json (canonical, byte-identical for the same inputs), csv or html (printable page).") var format: String = "md"
    @Option(help: "Write the report to this file instead of standard output.") var output: String?
    @Flag(help: "Append a signed ReconciliationRecorded to each source that is a ledger folder.") var record = false
    @Option(help: "For node URL sources: a config file whose peers give each URL's ledger, token and pinned public key. Default: node.json in the source that is a ledger folder.") var config: String?

    func run() async throws {
        // Mirrors exported and nodes pulled for this run, removed when it ends.
        var temporaryFiles: [String] = []
        defer { for path in temporaryFiles { try? FileManager.default.removeItem(atPath: path) } }
        guard let format = Format(rawValue: format) else {
            throw fail("--format must be md, json, csv or html, got \"\(format)\"")
        }
        let period = try ReconciliationPeriod(year: year, quarter: quarter, asOf: try parseTimestamp(asOf, option: "--as-of"))
        // A mirror (DIR/mirrors/<peer>) is a folder too, but it is read as the export it holds.
        if record, !isLedgerFolder(jugendamt), !isLedgerFolder(traeger) {
            throw fail("--record needs a ledger folder to record in; neither source is one (export files, mirrors and node URLs are read only)")
        }

        let (j, t) = try await openSources(temporaryFiles: &temporaryFiles)
        try checkSide(j, .jugendamt)
        try checkSide(t, .traeger)
        let jStream = "traeger:\(t.name.org)", tStream = "jugendamt:\(j.name.org)"
        do {
            try j.check(stream: jStream)
            try t.check(stream: tStream)
        } catch {
            throw fail(error.message)
        }

        let result: Reconciliation
        do {
            result = try Reconciler.reconcile(jugendamt: j.name, j.records(stream: jStream, asOf: period.asOf),
                                              traeger: t.name, t.records(stream: tStream, asOf: period.asOf), period: period)
        } catch let error as ReconcileError {
            throw fail(error.message)
        }
        let reportBytes = result.reportBytes

        var signatures: [JSON] = []
        if record {
            for (source, own, other) in [(j, result.jugendamt, result.traeger), (t, result.traeger, result.jugendamt)] {
                guard let ledger = source.ledger else { continue }
                signatures.append(try Self.record(result, reportBytes: reportBytes, on: ledger, own: own, counterparty: other))
            }
        }

        let rendered: [UInt8]
        switch format {
        case .json: rendered = reportBytes
        case .md: rendered = Array(ReconciliationMarkdown.render(result).utf8)
        case .csv: rendered = ReconciliationCSV.render(result)
        case .html: rendered = Array(ReconciliationHTML.render(result).utf8)
        }
        if let output {
            try writeFile(output, rendered)
            if record {
                if format != .json { try writeFile(output + ".json", reportBytes) }
                let sig: JSON = ["reportHash": .string(result.reportHash.hex), "signatures": .array(signatures)]
                try writeFile(output + ".sig.json", CanonicalWriter.encode(sig) + [0x0A])
            }
            let n = result.findings.count
            printLine("\(result.period.label): \(n == 0 ? "no findings, the quarter reconciles" : "\(n) finding\(n == 1 ? "" : "s")"); report written to \(output)")
        } else {
            rendered.withUnsafeBytes(writeStdout)
        }
        if !result.reconciles { throw Failure(status: Exit.found, message: "") }
    }

    /// Opens and verifies both sources. A node URL is pulled once the counterparty is known (the
    /// stream to pull is named after it): from the other source, or from the config's peer entry
    /// when both are URLs.
    func openSources(temporaryFiles: inout [String]) async throws -> (ReconcileSource, ReconcileSource) {
        let jNode = NodeSource.isURL(jugendamt), tNode = NodeSource.isURL(traeger)
        guard jNode || tNode else {
            // Both verified at the same time, one thread each; errors reported for the Jugendamt
            // first. A path that does not exist is said at once, not after the other's verify.
            for (path, option) in [(jugendamt, "--jugendamt"), (traeger, "--traeger")] where !FileManager.default.fileExists(atPath: path) {
                throw fail("\(option) \(path) does not exist")
            }
            let jFile = try readableFile(jugendamt, temporaryFiles: &temporaryFiles)
            let tFile = try readableFile(traeger, temporaryFiles: &temporaryFiles)
            let progress = Progress("verifying \(jugendamt) and \(traeger)")
            let (j, t) = ReconcileSource.openBoth(jFile, tFile, policy: defaultPolicy()) { progress.update($0) }
            progress.done()
            return (try opened(j, file: jFile, option: "--jugendamt", shownAs: jugendamt),
                    try opened(t, file: tFile, option: "--traeger", shownAs: traeger))
        }
        var configPath = config
        if configPath == nil {
            configPath = [jugendamt, traeger].first { !NodeSource.isURL($0) && isDirectory($0) && FileManager.default.fileExists(atPath: $0 + "/node.json") }
                .map { $0 + "/node.json" }
        }
        let jPeer = try jNode ? NodeSource.resolve(jugendamt, option: "--jugendamt", configPath: configPath, side: .jugendamt) : nil
        let tPeer = try tNode ? NodeSource.resolve(traeger, option: "--traeger", configPath: configPath, side: .traeger) : nil
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("doppelledger-pull-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }

        func pulled(_ node: NodeSource, _ option: String, counterparty: LedgerName, temporaryFiles: inout [String]) async throws -> ReconcileSource {
            let file = try await node.pull(counterparty: counterparty, option: option, scratch: scratch)
            temporaryFiles.append(file)
            return try openSource(file, option: option, shownAs: node.peer.url)
        }
        switch (jPeer, tPeer) {
        case let (j?, t?):
            let jSource = try await pulled(j, "--jugendamt", counterparty: t.peer.ledger, temporaryFiles: &temporaryFiles)
            let tSource = try await pulled(t, "--traeger", counterparty: j.peer.ledger, temporaryFiles: &temporaryFiles)
            return (jSource, tSource)
        case let (j?, nil):
            let tSource = try openSource(traeger, option: "--traeger", temporaryFiles: &temporaryFiles)
            try checkSide(tSource, .traeger)
            return (try await pulled(j, "--jugendamt", counterparty: tSource.name, temporaryFiles: &temporaryFiles), tSource)
        case let (nil, t?):
            let jSource = try openSource(jugendamt, option: "--jugendamt", temporaryFiles: &temporaryFiles)
            try checkSide(jSource, .jugendamt)
            return (jSource, try await pulled(t, "--traeger", counterparty: jSource.name, temporaryFiles: &temporaryFiles))
        case (nil, nil):
            preconditionFailure("handled above")
        }
    }

    /// Refuses a source that holds the other side's ledger.
    func checkSide(_ source: ReconcileSource, _ side: Side) throws {
        guard source.name.side != side else { return }
        if side == .jugendamt {
            throw fail("--jugendamt \(jugendamt) holds \(source.name), a Träger's ledger; give the Jugendamt's ledger or export")
        }
        throw fail("--traeger \(traeger) holds \(source.name), a Jugendamt's ledger; give the Träger's ledger or export")
    }

    /// What to open for `path`: the path itself, or for a mirror (DIR/mirrors/<peer>, filled by
    /// sync) the export it holds, written to a temporary file.
    func readableFile(_ path: String, temporaryFiles: inout [String]) throws -> String {
        guard MirrorStore.isMirror(path) else { return path }
        let file = try exportMirrorToTemporaryFile(path)
        temporaryFiles.append(file)
        return file
    }

    /// Opens and verifies a source; a broken chain exits 1, an unusable source 2.
    func openSource(_ path: String, option: String, temporaryFiles: inout [String]) throws -> ReconcileSource {
        try openSource(try readableFile(path, temporaryFiles: &temporaryFiles), option: option, shownAs: path)
    }

    /// Opens and verifies the folder or export file `file`, which the user knows as `shownAs`.
    func openSource(_ file: String, option: String, shownAs: String) throws -> ReconcileSource {
        let progress = Progress("verifying \(shownAs)")
        defer { progress.done() }
        return try opened(Result { () throws(ReconcileSourceError) in try ReconcileSource.open(file, policy: defaultPolicy()) { progress.update($0) } },
                          file: file, option: option, shownAs: shownAs)
    }

    /// The opened source, or its error as the exit it means: a broken chain exits 1, an
    /// unusable source 2. A scratch file (a mirror's or a node's export) is named as the user gave it.
    func opened(_ result: Result<ReconcileSource, ReconcileSourceError>, file: String, option: String, shownAs: String) throws -> ReconcileSource {
        switch result {
        case .success(let source): return source
        case .failure(let error):
            let message = error.message.replacingOccurrences(of: file, with: shownAs)
            switch error.reason {
            case .tampered: throw Failure(status: Exit.found, message: "\(option) \(message); nothing was compared")
            case .unusable: throw fail("\(option) \(message)")
            }
        }
    }

    /// A folder that is not a mirror: where `--record` can append.
    func isLedgerFolder(_ path: String) -> Bool {
        isDirectory(path) && !MirrorStore.isMirror(path)
    }

    func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }

    func writeFile(_ path: String, _ bytes: [UInt8]) throws {
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw fail("cannot write \(path): \(error.localizedDescription)")
        }
    }

    /// The idempotency key of a recorded reconciliation: the same report recorded again is a no-op.
    static func recordKey(_ result: Reconciliation, counterparty: SideSummary) -> String {
        let hash = result.reportHash.hex
        let key = "recon-\(result.period.year)-q\(result.period.quarter)-\(counterparty.org)-\(hash.prefix(16))"
        return key.utf8.count <= 64 ? key : "recon-\(result.period.year)-q\(result.period.quarter)-\(hash.prefix(48))"
    }

    /// Appends `ReconciliationRecorded` (signed report hash, both heads) to `ledger`, unless this
    /// report is recorded there already. Returns the signature entry for the `.sig.json` file.
    static func record(_ result: Reconciliation, reportBytes: [UInt8], on ledger: Ledger,
                       own: SideSummary, counterparty: SideSummary, say: (String) -> Void = printError) throws -> JSON {
        let key = recordKey(result, counterparty: counterparty)
        let stored: Record
        if let existing = try ledger.record(key: key) {
            stored = existing
            say("the reconciliation was recorded on \(ledger.name) before, as record \(existing.seq); nothing appended")
        } else {
            let data = JSONObject([
                ("year", .int(Int64(result.period.year))), ("quarter", .int(Int64(result.period.quarter))),
                ("counterparty", .string(counterparty.ledger)), ("ownHead", own.head.json),
                ("counterpartyHead", counterparty.head.json), ("reportHash", .string(result.reportHash.hex)),
                ("findings", .int(Int64(result.findings.count))), ("reportSignature", .string(try ledger.sign(reportBytes))),
            ])
            stored = try ledger.append(NewEvent(type: EventType.reconciliationRecorded.rawValue, key: key, data: data)).record
            say("recorded the reconciliation on \(ledger.name) as record \(stored.seq) (key \(key))")
        }
        return [
            "ledger": .string(ledger.name.description), "publicKey": .string(ledger.publicKeyHex),
            "signature": stored.data["reportSignature"] ?? .null,
            "record": ["seq": .int(Int64(stored.seq)), "hash": .string(stored.hash.hex), "key": .string(key)],
        ]
    }
}

private extension Error {
    var message: String { (self as? ReconcileSourceError)?.message ?? "\(self)" }
}
