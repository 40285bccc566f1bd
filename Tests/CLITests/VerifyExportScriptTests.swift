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
        let odd = try CLI.run(["append", ledger, "--type", "Notiz", "--key", "odd-1", "--data",
                               #"{"x\#u{FFFD}":1,"x😀":2,"xé":3,"text":"Übergabe \"A\"/B\n\t\u0001 – ✓","traeger":"awo"}"#])
        #expect(odd.status == 0, "\(odd)")
        let export = try CLI.run(["export", ledger])
        return (ledger, export.stdout.split(separator: "\n").map(String.init))
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
        let stream = try CLI.run(["export", ledger, "--stream", "traeger:awo"]).stdout
        let single = try Self.python([try dir.write("awo.jsonl", stream)])
        #expect(single.status == 0, "\(single)")
        #expect(single.stdout == "ok: 14 records\n")
        let later = try Self.python(["-"], stdin: try CLI.run(["export", ledger, "--from-seq", "20"]).stdout)
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
        changed[9] = changed[9].replacing(#""n":9"#, with: #""n":19"#)
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
        float[2] = float[2].replacing(#""n":2"#, with: #""n":2.0"#)
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
