import ArgumentParser
import Foundation
import LedgerStore
import LedgerCore

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Create a new ledger and its node key.")

    @Argument(help: "The folder for the ledger (must not exist or be empty).") var dir: String
    @Option(help: "jugendamt or traeger.") var side: String
    @Option(help: "This organisation's id, e.g. trier-saarburg or caritas.") var org: String
    @Option(help: "On a Träger's ledger: the Jugendamt it works with.") var jugendamt: String?

    func run() throws {
        guard let side = Side(rawValue: side) else { throw fail("--side must be jugendamt or traeger, got \"\(side)\"") }
        if side == .traeger, jugendamt == nil {
            throw fail("--jugendamt is required on a Träger's ledger: name the Jugendamt it works with")
        }
        let ledger = try Ledger.create(at: dir, side: side, org: org, jugendamt: jugendamt, policy: defaultPolicy())
        printLine("created ledger \(ledger.name) in \(dir)")
        printLine("public key (pin this on the other side): \(ledger.publicKeyHex)")
    }
}

struct AppendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "append", abstract: "Append one event; prints the record.")

    @Argument(help: "The ledger folder.") var dir: String
    @Option(help: "The event type, e.g. KontraktSigned.") var type: String
    @Option(help: "The idempotency key (an id, unique per ledger).") var key: String
    @Option(help: "The event's data as a JSON object.") var data: String
    @Option(help: "Who records it (a pseudonymous id).") var actor: String?

    func run() throws {
        let json: JSON
        do { json = try JSONParser.parse(data) } catch { throw fail("--data is not valid JSON: \(error)") }
        guard case .object(let object) = json else { throw fail("--data must be a JSON object") }
        let ledger = try openLedger(dir)
        let outcome = try ledger.append(NewEvent(type: type, key: key, actor: actor, data: object))
        if !outcome.isNew {
            printError("key \(key) was recorded before as record \(outcome.record.seq); nothing appended")
        }
        for warning in outcome.warnings { printError("warning: \(warning)") }
        printLine(outcome.record.canonicalLine)
    }
}

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Append events from JSON Lines ({type,key,actor?,data,recordedAt?}); all or nothing per file.")

    @Argument(help: "The ledger folder.") var dir: String
    @Argument(help: "The file, or - for standard input.") var file: String
    @Flag(help: "Take recordedAt from each line (moving history from an older system).") var preserveRecordedAt = false

    func run() throws {
        let ledger = try openLedger(dir)
        var events: [NewEvent] = []
        var lineNumbers: [Int] = []
        var splitter = LineSplitter()
        let progress = Progress("reading \(file)")
        func take(_ n: Int, _ line: UnsafeRawBufferPointer) throws {
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return }
            let json: JSON
            do { json = try JSONParser.parse(line) } catch { throw fail("line \(n): not valid JSON: \(error); nothing was imported") }
            do { events.append(try NewEvent(json: json)) } catch { throw fail("line \(n): \(error.message); nothing was imported") }
            if preserveRecordedAt, events[events.count - 1].recordedAt == nil {
                throw fail("line \(n): recordedAt is required with --preserve-recorded-at; nothing was imported")
            }
            lineNumbers.append(n)
            progress.update(events.count)
        }
        try readChunks(file) { chunk in try splitter.feed(chunk, take) }
        try splitter.finish(take)
        progress.done()
        let outcomes: [Ledger.Outcome]
        do {
            outcomes = try ledger.append(events, preserveRecordedAt: preserveRecordedAt)
        } catch let error as LedgerError {
            switch error {
            case .invalid(let index, let v): throw fail("line \(lineNumbers[index]): \(v.message); nothing was imported")
            case .recordedAt(let index, let m): throw fail("line \(lineNumbers[index]): \(m); nothing was imported")
            case .keyConflict(let key, _):
                throw fail(Self.conflictMessage(key: key, events: events, lineNumbers: lineNumbers, ledger: ledger, error: error))
            default: throw error
            }
        }
        let appended = outcomes.filter(\.isNew).count
        for warning in outcomes.flatMap(\.warnings).prefix(20) { printError("warning: \(warning)") }
        printLine("imported \(appended) new records, \(outcomes.count - appended) already present; head is now seq \(try ledger.head().seq)")
    }

    /// Names the line of a key conflict: the first line using `key` for other content than its
    /// first use, which is a record already in the ledger or an earlier line of the file.
    static func conflictMessage(key: String, events: [NewEvent], lineNumbers: [Int], ledger: Ledger, error: LedgerError) -> String {
        func same(_ a: NewEvent, _ b: NewEvent) -> Bool {
            a.type.utf8.elementsEqual(b.type.utf8) && a.actor == b.actor && a.data == b.data
        }
        var first: (event: NewEvent, line: Int?)?
        if let stored = (try? ledger.record(key: key)) ?? nil {
            first = (NewEvent(type: stored.type, key: key, actor: stored.actor, data: stored.data), nil)
        }
        for (index, event) in events.enumerated() where event.key == key {
            guard let earlier = first else { first = (event, lineNumbers[index]); continue }
            guard !same(earlier.event, event) else { continue }
            if let line = earlier.line {
                return "line \(lineNumbers[index]): key \"\(key)\" was already used on line \(line) for different content; use a new key for a new event; nothing was imported"
            }
            return "line \(lineNumbers[index]): \(error.description); nothing was imported"
        }
        return "\(error.description); nothing was imported"
    }
}

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Write records as JSON Lines (canonical JSON, with hashes).")

    @Argument(help: "The ledger folder.") var dir: String
    @Option(help: "Only this stream (traeger:<id>, jugendamt:<org> or intern).") var stream: String?
    @Option(help: "Only records recorded at or before this RFC 3339 time.") var asOf: String?
    @Option(help: "Start at this seq.") var fromSeq: UInt64 = 1

    func run() throws {
        if let stream, !StreamName.isValid(stream) {
            throw fail("--stream must be traeger:<id>, jugendamt:<org> or intern, got \"\(stream)\"")
        }
        let asOf = try parseTimestamp(asOf, option: "--as-of")
        if MirrorStore.isMirror(dir) { return try exportMirror(dir, stream: stream, asOf: asOf, fromSeq: fromSeq) }
        let ledger = try openLedger(dir)
        _ = try ledger.export(stream: stream, fromSeq: fromSeq, asOf: asOf, to: writeStdout)
    }
}

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recompute every hash and follow both chains; exit 1 naming the first bad record.")

    @Argument(help: "A ledger folder or an export file (- for standard input).") var source: String
    @Option(help: "The pinned Ed25519 public key (hex) of the ledger's node.") var publicKey: String?
    @Option(help: "With an export file: a signed head (from 'doppelledger head' or GET /v1/head) to check it against.") var head: String?

    func run() throws {
        var isDir: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: source, isDirectory: &isDir)
        guard source == "-" || exists else { throw fail("\(source) does not exist") }
        let result: VerificationResult
        var signedHead: SignedHead?
        if isDir.boolValue {
            let ledger = try openLedger(source)
            let progress = Progress("verifying")
            result = try ledger.verify { progress.update($0) }
            progress.done()
            if let publicKey {
                guard publicKey.lowercased() == ledger.publicKeyHex else {
                    printError("the ledger's node key \(ledger.publicKeyHex) is not the pinned key \(publicKey)")
                    throw Failure(status: Exit.found, message: "")
                }
                signedHead = try ledger.signedHead()
            }
        } else {
            var verifier = ExportVerifier()
            var hashes: [UInt64: Digest32] = [:]
            let wanted: SignedHead? = try head.map { path in
                let text = try String(contentsOfFile: path, encoding: .utf8)
                return try SignedHead(json: try JSONParser.parse(text))
            }
            if wanted != nil || publicKey != nil {
                guard let wanted else { throw fail("--public-key with an export file needs --head FILE (a signed head to check)") }
                let target = wanted.seq
                verifier.onRecord = { r in if r.seq == target { hashes[r.seq] = r.hash } }
            }
            let progress = Progress("verifying")
            try readChunks(source) { chunk in
                verifier.feed(chunk)
                progress.update(verifier.result.records)
            }
            verifier.finish()
            progress.done()
            result = verifier.result
            if let wanted, result.isValid {
                guard hashes[wanted.seq] == wanted.hash else {
                    printError("the export does not contain the signed head's record (seq \(wanted.seq), hash \(wanted.hash.hex.prefix(16))…)")
                    throw Failure(status: Exit.found, message: "")
                }
                signedHead = wanted
            }
        }
        guard result.isValid else {
            printError("verification failed: \(result.failure ?? "")")
            throw Failure(status: Exit.found, message: "")
        }
        if let signedHead {
            let key = publicKey ?? signedHead.publicKey
            guard signedHead.isValid(publicKeyHex: key.lowercased()) else {
                printError("the head's signature is not valid for the public key \(key)")
                throw Failure(status: Exit.found, message: "")
            }
        }
        let streams = result.streams.keys.sorted().joined(separator: ", ")
        printLine("ok: \(result.records) records, head seq \(result.lastSeq) hash \(result.lastHash.hex)"
                  + (streams.isEmpty ? "" : "; streams \(streams)")
                  + (signedHead != nil ? "; head signature valid" : ""))
    }
}

struct HeadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "head", abstract: "Print the ledger's head, signed with the node key (JSON).")

    @Argument(help: "The ledger folder.") var dir: String

    func run() throws {
        let ledger = try openLedger(dir)
        printLine(CanonicalWriter.string(try ledger.signedHead().json))
    }
}
