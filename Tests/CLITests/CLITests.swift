import Foundation
import Testing
import LedgerCore

/// Parses export lines into records (and checks each one's hash on the way).
func records(_ export: String) throws -> [Record] {
    try export.split(separator: "\n").map { line in
        let r = try Array(line.utf8).withUnsafeBytes { try Record(line: $0) }
        guard r.hash == r.computeHash() else { throw RecordFormatError("record \(r.seq) has a wrong hash") }
        return r
    }
}

/// Whether `stderr` is one sentence on one line, prefixed with the program's name.
func isOneSentence(_ stderr: String) -> Bool {
    let lines = stderr.split(separator: "\n")
    return lines.count == 1 && lines[0].hasPrefix("doppelledger: ") && lines[0].count > 20
}

@Suite("Command line")
struct CLITests {
    @Test("the executable is found")
    func executable() throws {
        #expect(FileManager.default.isExecutableFile(atPath: CLI.executable), "\(CLI.executable)")
        let help = try CLI.run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("append"))
    }

    @Test("init creates a ledger and a node key; refusals exit 2 with one sentence")
    func initCommand() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let ok = try CLI.run(["init", dir.sub("a"), "--side", "jugendamt", "--org", "trier-saarburg"])
        #expect(ok.status == 0, "\(ok)")
        #expect(ok.stdout.contains("jugendamt:trier-saarburg"))
        let pub = try String(contentsOfFile: dir.sub("a/node.pub"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(ok.stdout.contains(pub))
        #expect(FileManager.default.fileExists(atPath: dir.sub("a/data.mdb")))

        let refusals: [[String]] = [
            ["init", dir.sub("a"), "--side", "jugendamt", "--org", "trier-saarburg"],     // exists
            ["init", dir.sub("b"), "--side", "amt", "--org", "trier-saarburg"],           // bad side
            ["init", dir.sub("c"), "--side", "traeger", "--org", "caritas"],              // no --jugendamt
            ["init", dir.sub("d"), "--side", "jugendamt", "--org", "Trier Saarburg"],     // bad id
            ["init", dir.sub("e"), "--side", "jugendamt", "--org", "x", "--jugendamt", "y"],
        ]
        for args in refusals {
            let r = try CLI.run(args)
            #expect(r.status == 2, "\(args): \(r)")
            #expect(isOneSentence(r.stderr), "\(args): \(r.stderr)")
        }
        let traeger = try CLI.run(["init", dir.sub("t"), "--side", "traeger", "--org", "caritas", "--jugendamt", "trier-saarburg"])
        #expect(traeger.status == 0, "\(traeger)")
    }

    @Test("bad usage exits 2", arguments: [
        ["frobnicate"], ["append"], ["export"], ["verify"], ["init", "x"], ["export", "x", "--bogus"],
    ] as [[String]])
    func badUsage(args: [String]) throws {
        let r = try CLI.run(args)
        #expect(r.status == 2, "\(args): \(r)")
        #expect(!r.stderr.isEmpty)
    }

    @Test("append prints the record; a repeat is a no-op; other content under the key is refused")
    func append() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let ledger = try initLedger(dir)
        let first = try CLI.run(TestEvent.appendArgs(ledger, key: "e-1", n: 1))
        #expect(first.status == 0, "\(first)")
        let record = try #require(try records(first.stdout).first)
        #expect(record.seq == 1)
        #expect(record.key == "e-1")
        #expect(record.type == TestEvent.type)
        #expect(record.stream == "traeger:caritas")
        #expect(record.prev == .zero)

        let repeated = try CLI.run(TestEvent.appendArgs(ledger, key: "e-1", n: 1))
        #expect(repeated.status == 0)
        #expect(repeated.stdout == first.stdout, "answers with the stored record")
        #expect(repeated.stderr.contains("recorded before"))

        let before = try CLI.run(["export", ledger]).stdout
        let refusals: [[String]] = [
            TestEvent.appendArgs(ledger, key: "e-1", n: 2),                                  // key conflict
            TestEvent.appendArgs(ledger, key: "e-1", n: 1, actor: "asd-08"),                 // key conflict
            ["append", ledger, "--type", "T", "--key", "e-2", "--data", "{\"a\":1.5}"],      // float
            ["append", ledger, "--type", "T", "--key", "e-2", "--data", "{\"a\":1,\"a\":2}"],// duplicate key
            ["append", ledger, "--type", "T", "--key", "e-2", "--data", "[1]"],              // not an object
            ["append", ledger, "--type", "T", "--key", "e-2", "--data", "{"],                 // not JSON
            ["append", ledger, "--type", "T", "--key", "E 2", "--data", "{}"],               // bad key
            ["append", ledger, "--type", "T", "--key", "e-2", "--data", "{}", "--actor", "Max Mustermann"],
            ["append", dir.sub("nowhere"), "--type", "T", "--key", "e-2", "--data", "{}"],   // no ledger
        ]
        for args in refusals {
            let r = try CLI.run(args)
            #expect(r.status == 2, "\(args): \(r)")
            #expect(isOneSentence(r.stderr), "\(args): \(r.stderr)")
            #expect(r.stdout.isEmpty)
        }
        #expect(try CLI.run(["export", ledger]).stdout == before, "nothing was appended")
    }

    @Test("import is all or nothing and idempotent; a bad line N is named and changes nothing")
    func importCommand() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let ledger = try initLedger(dir)
        let file = try dir.write("events.jsonl", TestEvent.importText(prefix: "i", 0..<50))
        let first = try CLI.run(["import", ledger, file])
        #expect(first.status == 0, "\(first)")
        #expect(first.stdout.contains("imported 50 new records"))
        let export = try CLI.run(["export", ledger]).stdout
        #expect(try records(export).count == 50)

        let again = try CLI.run(["import", ledger, file])
        #expect(again.status == 0, "\(again)")
        #expect(again.stdout.contains("imported 0 new records, 50 already present"))
        #expect(try CLI.run(["export", ledger]).stdout == export, "re-import changes nothing")

        // Bad lines: each names its line number and leaves the ledger as it was.
        let good = TestEvent.importText(prefix: "j", 0..<12).split(separator: "\n").map(String.init)
        let bad: [(line: Int, text: String)] = [
            (3, "{\"type\":\"T\",\"key\":\"j-x\",\"data\":{\"amount\":1.5}}"),        // float
            (7, "{\"type\":\"T\",\"key\":\"j-x\",\"data\":{}"),                        // truncated JSON
            (5, "{\"type\":\"T\",\"data\":{}}"),                                       // no key
            (9, "{\"type\":\"T\",\"key\":\"J X\",\"data\":{}}"),                       // key not an id (refused when appending)
            (12, "{\"type\":\"T\",\"key\":\"j-x\",\"data\":{},\"extra\":1}"),          // unknown field
            (2, TestEvent.importLine(key: "i-3", n: 99)),                             // key conflict with the first import
            (11, TestEvent.importLine(key: "j-4", n: 99)),                            // key conflict with line 5 of this file
            (4, "[1,2]"),
            (6, "\u{FF}"),
        ]
        for (line, text) in bad {
            var lines = good
            lines[line - 1] = text
            let badFile = try dir.write("bad-\(line).jsonl", lines.joined(separator: "\n") + "\n")
            let r = try CLI.run(["import", ledger, badFile])
            #expect(r.status == 2, "line \(line): \(r)")
            #expect(isOneSentence(r.stderr), "line \(line): \(r.stderr)")
            #expect(r.stderr.contains("line \(line):"), "\(r.stderr)")
            if line == 11 { #expect(r.stderr.contains("on line 5"), "\(r.stderr)") }
            #expect(r.stderr.contains("nothing was imported"), "\(r.stderr)")
            #expect(try CLI.run(["export", ledger]).stdout == export, "line \(line): the ledger is unchanged")
        }

        // Blank lines are skipped but counted; standard input works.
        var lines = good
        lines.insert("", at: 2)
        lines.insert("   ", at: 5)
        lines[9] = "{\"type\":\"T\",\"key\":\"j-x\",\"data\":{\"a\":1e5}}"
        let numbered = try CLI.run(["import", ledger, "-"], stdin: lines.joined(separator: "\n"))
        #expect(numbered.status == 2)
        #expect(numbered.stderr.contains("line 10:"), "\(numbered.stderr)")
        let viaStdin = try CLI.run(["import", ledger, "-"], stdin: good.joined(separator: "\n")) // no final newline
        #expect(viaStdin.status == 0, "\(viaStdin)")
        #expect(viaStdin.stdout.contains("imported 12 new records"))
        #expect(try records(CLI.run(["export", ledger]).stdout).count == 62)

        let missing = try CLI.run(["import", ledger, dir.sub("missing.jsonl")])
        #expect(missing.status == 2)
        #expect(isOneSentence(missing.stderr))
    }

    @Test("--preserve-recorded-at takes times from the lines and refuses lines without one")
    func preserveRecordedAt() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let ledger = try initLedger(dir)
        let lines = [
            #"{"type":"TariffAdjusted","key":"h-1","data":{"basisPoints":1,"effectiveFrom":"2019-01-01"},"recordedAt":"2019-01-01T10:00:00Z"}"#,
            #"{"type":"TariffAdjusted","key":"h-2","data":{"basisPoints":2,"effectiveFrom":"2019-01-01"},"recordedAt":"2019-01-01T11:00:00Z"}"#,
        ]
        let r = try CLI.run(["import", ledger, "-", "--preserve-recorded-at"], stdin: lines.joined(separator: "\n"))
        #expect(r.status == 0, "\(r)")
        #expect(try records(CLI.run(["export", ledger]).stdout).map(\.recordedAt.description)
                == ["2019-01-01T10:00:00Z", "2019-01-01T11:00:00Z"])
        let backwards = try CLI.run(["import", ledger, "-", "--preserve-recorded-at"],
                                    stdin: #"{"type":"TariffAdjusted","key":"h-3","data":{"basisPoints":3,"effectiveFrom":"2019-01-01"},"recordedAt":"2018-01-01T00:00:00Z"}"#)
        #expect(backwards.status == 2)
        #expect(backwards.stderr.contains("line 1:"))
        let none = try CLI.run(["import", ledger, "-", "--preserve-recorded-at"], stdin: "\n" + #"{"type":"TariffAdjusted","key":"h-4","data":{"basisPoints":4,"effectiveFrom":"2019-01-01"}}"#)
        #expect(none.status == 2)
        #expect(none.stderr.contains("line 2:"))
    }

    @Test("export by stream, as of a time, from a seq; bad options exit 2")
    func export() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let ledger = try initLedger(dir)
        #expect(try CLI.run(["import", ledger, "-"], stdin: TestEvent.importText(prefix: "x", 0..<30, traeger: ["caritas", "awo", "drk"])).status == 0)
        let all = try records(CLI.run(["export", ledger]).stdout)
        #expect(all.map(\.seq) == Array(1...30))
        let awo = try records(CLI.run(["export", ledger, "--stream", "traeger:awo"]).stdout)
        #expect(awo.count == 10)
        #expect(awo.allSatisfy { $0.stream == "traeger:awo" })
        #expect(awo.map(\.streamSeq) == Array(1...10))
        let from = try records(CLI.run(["export", ledger, "--from-seq", "25"]).stdout)
        #expect(from.map(\.seq) == Array(25...30))
        let recordedAt = all[0].recordedAt
        let past = try CLI.run(["export", ledger, "--as-of", "2000-01-01"])
        #expect(past.status == 0)
        #expect(past.stdout.isEmpty)
        let now = try records(CLI.run(["export", ledger, "--as-of", Timestamp(seconds: recordedAt.seconds + 3600).description]).stdout)
        #expect(now.count == 30)
        for args in [["export", ledger, "--as-of", "yesterday"], ["export", ledger, "--stream", "awo"], ["export", ledger, "--from-seq", "-1"]] {
            let r = try CLI.run(args)
            #expect(r.status == 2, "\(args): \(r)")
        }
    }

    @Test("verify: 0 when sound, 1 naming the record when not, 2 when there is nothing to verify")
    func verify() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let ledger = try initLedger(dir)
        #expect(try CLI.run(["import", ledger, "-"], stdin: TestEvent.importText(prefix: "v", 0..<20)).status == 0)
        // The last record in its own transaction: its bytes occur exactly once in data.mdb.
        let last = try CLI.run(TestEvent.appendArgs(ledger, key: "v-last", n: 777_777))
        #expect(last.status == 0)

        let ok = try CLI.run(["verify", ledger])
        #expect(ok.status == 0, "\(ok)")
        #expect(ok.stdout.hasPrefix("ok: 21 records"))

        let export = try CLI.run(["export", ledger]).stdout
        let exportFile = try dir.write("export.jsonl", export)
        let fileOK = try CLI.run(["verify", exportFile])
        #expect(fileOK.status == 0, "\(fileOK)")
        #expect(fileOK.stdout.hasPrefix("ok: 21 records"))
        let stdinOK = try CLI.run(["verify", "-"], stdin: export)
        #expect(stdinOK.status == 0)

        // A tampered export: one changed digit in record 8.
        var lines = export.split(separator: "\n").map(String.init)
        lines[7] = lines[7].replacing(#""minutes":8"#, with: #""minutes":9"#)
        let tampered = try dir.write("tampered.jsonl", lines.joined(separator: "\n") + "\n")
        let bad = try CLI.run(["verify", tampered])
        #expect(bad.status == 1, "\(bad)")
        #expect(bad.stderr.contains("record 8"), "\(bad.stderr)")
        #expect(isOneSentence(bad.stderr))

        // Signed head: with the pinned key 0, with another key 1.
        let pub = try String(contentsOfFile: ledger + "/node.pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let other = try initLedger(dir, "other")
        let otherPub = try String(contentsOfFile: other + "/node.pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let pinned = try CLI.run(["verify", ledger, "--public-key", pub])
        #expect(pinned.status == 0, "\(pinned)")
        #expect(pinned.stdout.contains("head signature valid"))
        #expect(try CLI.run(["verify", ledger, "--public-key", otherPub]).status == 1)
        let head = try CLI.run(["head", ledger])
        #expect(head.status == 0)
        let headFile = try dir.write("head.json", head.stdout)
        let withHead = try CLI.run(["verify", exportFile, "--head", headFile, "--public-key", pub])
        #expect(withHead.status == 0, "\(withHead)")
        #expect(withHead.stdout.contains("head signature valid"))
        #expect(try CLI.run(["verify", exportFile, "--head", headFile, "--public-key", otherPub]).status == 1)
        let shortExport = try dir.write("short.jsonl", lines.prefix(5).joined(separator: "\n") + "\n")
        #expect(try CLI.run(["verify", shortExport, "--head", headFile, "--public-key", pub]).status == 1,
                "a truncated export does not reach the signed head")

        // A flipped byte in data.mdb.
        let lastLine = export.split(separator: "\n").last.map(String.init)!
        let json = try #require(try JSONParser.parse(lastLine).object)
        var withoutHash = json
        withoutHash["hash"] = nil
        let needle = CanonicalWriter.encode(.object(withoutHash))
        var data = try [UInt8](Data(contentsOf: URL(fileURLWithPath: ledger + "/data.mdb")))
        let places = (0...(data.count - needle.count)).filter { data[$0] == needle[0] && data[$0..<($0 + needle.count)].elementsEqual(needle) }
        try #require(places.count == 1, "found the record \(places.count) times")
        data[places[0] + 30] ^= 0x04
        try Data(data).write(to: URL(fileURLWithPath: ledger + "/data.mdb"))
        let damaged = try CLI.run(["verify", ledger])
        #expect(damaged.status == 1, "\(damaged)")
        #expect(damaged.stderr.contains("record 21"), "\(damaged.stderr)")

        let nothing = try CLI.run(["verify", dir.sub("nothing")])
        #expect(nothing.status == 2)
        #expect(isOneSentence(nothing.stderr))
    }

    @Test("mdb_stat can read the environment")
    func mdbStat() throws {
        guard let mdbStat = ["/usr/bin/mdb_stat", "/usr/local/bin/mdb_stat"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            // lmdb-utils is installed by Tools/setup.sh; without it there is nothing to check.
            return
        }
        let dir = try TempDir()
        defer { dir.remove() }
        let ledger = try initLedger(dir)
        #expect(try CLI.run(["import", ledger, "-"], stdin: TestEvent.importText(prefix: "m", 0..<25)).status == 0)
        let r = try Subprocess.run(mdbStat, ["-a", ledger])
        #expect(r.status == 0, "\(r)")
        for name in ["meta", "log", "keys", "streams", "streamlog", "state"] {
            #expect(r.stdout.contains("Status of \(name)"), "\(name) in \(r.stdout)")
        }
        // The log holds 25 entries.
        let logSection = r.stdout.components(separatedBy: "Status of log").last ?? ""
        #expect(logSection.contains("Entries: 25"), "\(logSection)")
        let env = try Subprocess.run(mdbStat, ["-e", ledger])
        #expect(env.status == 0)
        #expect(env.stdout.contains("Map size"))
    }
}
