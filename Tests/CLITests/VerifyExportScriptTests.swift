import Foundation
import Testing
import LedgerCore

/// Tools/verify_export.py, the auditor's stand-alone verifier, against real exports.
@Suite("Auditor's verify_export.py")
struct VerifyExportScriptTests {
    static let script = CLI.packageRoot + "/Tools/verify_export.py"

    static func python(_ args: [String], stdin: String? = nil) throws -> ProcessResult {
        try Subprocess.run("python3", [script] + args, stdin: stdin)
    }

    /// A ledger with several streams and awkward text (non-ASCII, controls, astral keys).
    static func makeExport(_ dir: TempDir) throws -> (ledger: String, lines: [String]) {
        let ledger = try initLedger(dir)
        let r = try CLI.run(["import", ledger, "-"], stdin: TestEvent.importText(prefix: "p", 0..<40, traeger: ["caritas", "awo", "drk"]))
        #expect(r.status == 0, "\(r)")
        // Keys that sort differently in UTF-16 than in code points, and text that needs escaping.
        // The domain rules would refuse such data, so the record is chained onto the export by hand,
        // exactly as a ledger would (the verifiers check any well-formed record, not the domain).
        var lines = try CLI.run(["export", ledger]).stdout.split(separator: "\n").map(String.init)
        let records = try lines.map { line in try Array(line.utf8).withUnsafeBytes { try Record(line: $0) } }
        let last = try #require(records.last)
        let lastAwo = try #require(records.last { $0.stream == "traeger:awo" })
        guard case .object(let data) = try JSONParser.parse(#"{"x\#u{FFFD}":1,"x😀":2,"xé":3,"text":"Übergabe \"A\"/B\n\t\u0001 – ✓","traeger":"awo"}"#) else {
            throw Subprocess.Failure(description: "odd data is no object")
        }
        var odd = Record(seq: last.seq + 1, recordedAt: last.recordedAt, ledger: last.ledger, stream: "traeger:awo",
                         streamSeq: lastAwo.streamSeq + 1, type: "Notiz", key: "odd-1", actor: nil, data: data,
                         prev: last.hash, streamPrev: lastAwo.hash)
        odd.hash = odd.computeHash()
        lines.append(odd.canonicalLine)
        return (ledger, lines)
    }

    func write(_ dir: TempDir, _ name: String, _ lines: [String]) throws -> String {
        try dir.write(name, lines.joined(separator: "\n") + "\n")
    }

    @Test("accepts real exports: full, a single stream, from a later seq")
    func acceptsRealExports() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (ledger, lines) = try Self.makeExport(dir)
        #expect(lines.count == 41)
        let full = try Self.python([try write(dir, "full.jsonl", lines)])
        #expect(full.status == 0, "\(full)")
        #expect(full.stdout == "ok: 41 records\n")
        // The ledger's own stream export verifies; so does the awo stream cut from the full export.
        let stream = try CLI.run(["export", ledger, "--stream", "traeger:awo"]).stdout
        #expect(try Self.python([try dir.write("awo-ledger.jsonl", stream)]).stdout == "ok: 13 records\n")
        let single = try Self.python([try write(dir, "awo.jsonl", lines.filter { $0.contains(#""stream":"traeger:awo""#) })])
        #expect(single.status == 0, "\(single)")
        #expect(single.stdout == "ok: 14 records\n")
        #expect(try Self.python(["-"], stdin: try CLI.run(["export", ledger, "--from-seq", "20"]).stdout).stdout == "ok: 21 records\n")
        let later = try Self.python(["-"], stdin: lines[19...].joined(separator: "\n") + "\n")
        #expect(later.status == 0, "\(later)")
        #expect(later.stdout == "ok: 22 records\n")
        // It agrees with the Swift verifier.
        #expect(try CLI.run(["verify", dir.sub("full.jsonl")]).status == 0)
    }

    @Test("refuses tampered exports and names the first bad seq")
    func refusesTampered() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (ledger, lines) = try Self.makeExport(dir)
        var cases: [(name: String, lines: [String], seq: String)] = []
        var changed = lines
        changed[9] = changed[9].replacing(#""minutes":10"#, with: #""minutes":20"#)
        cases.append(("changed data", changed, "seq 10"))
        var odd = lines
        odd[40] = odd[40].replacing("x😀", with: "x😁")
        cases.append(("changed non-ASCII key", odd, "seq 41"))
        var dropped = lines
        dropped.remove(at: 20)
        cases.append(("dropped record", dropped, "seq 22"))
        var swapped = lines
        swapped.swapAt(3, 4)
        cases.append(("swapped records", swapped, "seq 5"))
        var doubled = lines
        doubled.insert(lines[6], at: 7)
        cases.append(("repeated record", doubled, "seq 7"))
        var float = lines
        float[2] = float[2].replacing(#""minutes":3"#, with: #""minutes":3.0"#)
        cases.append(("a fraction", float, "line 3"))
        for c in cases {
            let path = try write(dir, "tampered.jsonl", c.lines)
            let r = try Self.python([path])
            #expect(r.status == 1, "\(c.name): \(r)")
            #expect(r.stdout.hasPrefix("bad: \(c.seq):"), "\(c.name): \(r.stdout)")
            #expect(try CLI.run(["verify", path]).status == 1, "\(c.name): the Swift verifier agrees")
        }
        // A single stream's export with a record removed from its middle.
        var stream = try CLI.run(["export", ledger, "--stream", "traeger:drk"]).stdout.split(separator: "\n").map(String.init)
        stream.remove(at: 5)
        let r = try Self.python([try write(dir, "drk.jsonl", stream)])
        #expect(r.status == 1, "\(r)")
        #expect(r.stdout.contains("stream traeger:drk"))
    }
}
